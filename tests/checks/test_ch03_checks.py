"""rnncourse.checks.ch03: right answers pass, deliberately wrong ones are named."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks._common import CheckFailed
from rnncourse.checks.ch03 import (
    CASES,
    MISTAKES,
    check_cifg_step,
    check_cifg_to_lstm,
    keras_cifg_step,
    numpy_cifg_step,
    random_step_inputs,
)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def good_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z_f, z_c, z_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 3, axis=1)
    f = sigmoid(z_f)
    c_t = f * c_prev + (1 - f) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def good_convert(kernel, recurrent_kernel, bias):
    def four(w):
        f, c, o = np.split(w, 3, axis=-1)
        return np.concatenate([-f, f, c, o], axis=-1)
    return four(kernel), four(recurrent_kernel), four(bias)


def test_the_numpy_cifg_is_the_keras_oracle():
    rng = np.random.default_rng(7)
    for batch, input_dim, units in CASES:
        args = random_step_inputs(rng, batch, input_dim, units)
        for ours, keras in zip(numpy_cifg_step(*args), keras_cifg_step(*args), strict=True):
            np.testing.assert_allclose(ours, keras, rtol=1e-5, atol=1e-5)


def test_correct_answers_pass(capsys):
    check_cifg_step(good_step)
    check_cifg_step(lambda *a: tuple(np.float32(v) for v in good_step(*a)), seed=3)
    check_cifg_to_lstm(good_convert, good_step)
    out = capsys.readouterr().out
    assert out.count("✓ cifg_step matches") == 2 and "✓ cifg_to_lstm matches" in out


def no_input_gate(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z_f, z_c, z_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 3, axis=1)
    c_t = sigmoid(z_f) * c_prev + np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def same_gate_twice(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z_f, z_c, z_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 3, axis=1)
    f = sigmoid(z_f)
    c_t = f * c_prev + f * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


def four_blocks(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    # the chapter's lstm_step, pasted: np.split into 4 fails on 3 blocks of 1 unit
    z_i, z_f, z_c, z_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=1)
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    return sigmoid(z_o) * np.tanh(c_t), c_t


@pytest.mark.parametrize("wrong, message", [
    (no_input_gate, "leave out the input gate"),
    (same_gate_twice, "use f as the input gate too"),
    (four_blocks, "cifg_step raised ValueError"),
    (lambda *a: good_step(*a)[::-1], r"returned \(c_t, h_t\)"),
    (lambda *a: good_step(*a)[0], "should be a tuple of 2 items"),
    (lambda *a: None, "returned None"),
    (lambda *a: (good_step(*a)[0].T, good_step(*a)[1]), "shape"),
])
def test_wrong_steps_are_named(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_cifg_step(wrong)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_every_listed_mistake_is_recognised_as_itself(mistake):
    def wrong(*args):
        h, c = numpy_cifg_step(*args, **MISTAKES[mistake])
        return h.astype(np.float32), c.astype(np.float32)

    with pytest.raises(CheckFailed) as raised:
        check_cifg_step(wrong)
    assert f"if you {mistake}" in str(raised.value)


def test_hints_step_up_and_the_equation_needs_hint_true():
    def unrecognised(x_t, h_prev, c_prev, *weights):  # no listed mistake gives this
        h, c = good_step(x_t, h_prev, c_prev, *weights)
        return 0.5 * h, c

    with pytest.raises(CheckFailed) as quiet:
        check_cifg_step(unrecognised)
    assert "hint=True" in str(quiet.value) and "(1 - f) * tanh" not in str(quiet.value)
    with pytest.raises(CheckFailed) as loud:
        check_cifg_step(unrecognised, hint=True)
    assert "(1 - f) * tanh(z_c)" in str(loud.value)


def test_stub_is_named():
    def stub(*args):
        raise NotImplementedError("write me")

    with pytest.raises(CheckFailed, match="cifg_step is still the exercise stub"):
        check_cifg_step(stub)


def test_conversion_blames_part_1_when_part_1_is_wrong():
    with pytest.raises(CheckFailed, match="Fix part 1 first"):
        check_cifg_to_lstm(good_convert, same_gate_twice)


def copy_forget(kernel, recurrent_kernel, bias):
    def four(w):
        f, c, o = np.split(w, 3, axis=-1)
        return np.concatenate([f, f, c, o], axis=-1)
    return four(kernel), four(recurrent_kernel), four(bias)


def bias_not_negated(kernel, recurrent_kernel, bias):
    k, r, _ = good_convert(kernel, recurrent_kernel, bias)
    f, c, o = np.split(bias, 3)
    return k, r, np.concatenate([f, f, c, o])


def wrong_order(kernel, recurrent_kernel, bias):
    def four(w):
        f, c, o = np.split(w, 3, axis=-1)
        return np.concatenate([f, -f, c, o], axis=-1)
    return four(kernel), four(recurrent_kernel), four(bias)


def three_blocks(kernel, recurrent_kernel, bias):
    return kernel, recurrent_kernel, bias


@pytest.mark.parametrize("wrong, message", [
    (copy_forget, "must be negated"),
    (bias_not_negated, "but not the bias"),
    (wrong_order, "order f, i, c, o"),
    (three_blocks, "four blocks"),
    (lambda k, r, b: (k, r), "should be a tuple of 3 items"),
    (lambda k, r, b: None, "returned None"),
])
def test_wrong_conversions_are_named(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_cifg_to_lstm(wrong, good_step)


def block_swap_in_place(kernel, recurrent_kernel, bias):
    # The classic NumPy slip: swapping two views in place duplicates a block (a gate is lost),
    # and it changes the arrays the check passed in.
    for w in (kernel, recurrent_kernel, bias):
        u = w.shape[-1] // 3
        w[..., :u], w[..., u:2 * u] = w[..., u:2 * u], w[..., :u]
    return good_convert(kernel, recurrent_kernel, bias)


def zero_everything(kernel, recurrent_kernel, bias):
    for w in (kernel, recurrent_kernel, bias):
        w[...] = 0
    return good_convert(kernel, recurrent_kernel, bias)


def zeroing_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    for a in (x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
        a[...] = 0
    return np.zeros_like(h_prev), np.zeros_like(c_prev)


@pytest.mark.parametrize("wrong", [block_swap_in_place, zero_everything])
def test_a_conversion_that_mutates_its_inputs_fails(wrong):
    with pytest.raises(CheckFailed):
        check_cifg_to_lstm(wrong, good_step)


def test_a_step_that_zeroes_its_inputs_fails():
    with pytest.raises(CheckFailed):
        check_cifg_step(zeroing_step)

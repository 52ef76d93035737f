"""rnncourse.checks.ch04: right answers pass, deliberately wrong ones are named."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks._common import CheckFailed
from rnncourse.checks.ch04 import (
    CASES,
    MISTAKES,
    check_gru_step_torch,
    check_torch_gru_to_keras,
    keras_torch_gru_step,
    numpy_torch_gru_step,
    random_step_inputs,
)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def good_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    i_r, i_z, i_n = np.split(x_t @ weight_ih.T + bias_ih, 3, axis=1)
    h_r, h_z, h_n = np.split(h_prev @ weight_hh.T + bias_hh, 3, axis=1)
    r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
    return (1 - z) * np.tanh(i_n + r * h_n) + z * h_prev


def good_convert(weight_ih, weight_hh, bias_ih, bias_hh):
    def zrn(w):
        r, z, n = np.split(w, 3, axis=0)
        return np.concatenate([z, r, n], axis=0)
    return zrn(weight_ih).T, zrn(weight_hh).T, np.stack([zrn(bias_ih), zrn(bias_hh)])


def test_the_numpy_step_is_the_keras_oracle():
    rng = np.random.default_rng(5)
    for batch, input_dim, units in CASES:
        args = random_step_inputs(rng, batch, input_dim, units)
        np.testing.assert_allclose(numpy_torch_gru_step(*args), keras_torch_gru_step(*args),
                                   rtol=1e-5, atol=1e-5)


def test_correct_answers_pass(capsys):
    check_gru_step_torch(good_step)
    check_gru_step_torch(lambda *a: good_step(*a).astype(np.float32), seed=4)
    check_torch_gru_to_keras(good_convert, good_step)
    out = capsys.readouterr().out
    assert out.count("✓ gru_step_torch matches") == 2 and "✓ torch_gru_to_keras matches" in out


def keras_order_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    i_z, i_r, i_n = np.split(x_t @ weight_ih.T + bias_ih, 3, axis=1)
    h_z, h_r, h_n = np.split(h_prev @ weight_hh.T + bias_hh, 3, axis=1)
    r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
    return (1 - z) * np.tanh(i_n + r * h_n) + z * h_prev


def untransposed_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    return good_step(x_t, h_prev, weight_ih.T.T, weight_hh, bias_ih, bias_hh) \
        if x_t.shape[1] == weight_ih.shape[0] else x_t @ weight_ih  # fails: (3u, d) not (d, 3u)


def reset_before_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    units = h_prev.shape[1]
    i_r, i_z, i_n = np.split(x_t @ weight_ih.T + bias_ih, 3, axis=1)
    h_r, h_z, _ = np.split(h_prev @ weight_hh.T + bias_hh, 3, axis=1)
    r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
    n = np.tanh(i_n + (r * h_prev) @ weight_hh[2 * units:].T + bias_hh[2 * units:])
    return (1 - z) * n + z * h_prev


def swapped_z_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    i_r, i_z, i_n = np.split(x_t @ weight_ih.T + bias_ih, 3, axis=1)
    h_r, h_z, h_n = np.split(h_prev @ weight_hh.T + bias_hh, 3, axis=1)
    r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
    return z * np.tanh(i_n + r * h_n) + (1 - z) * h_prev


@pytest.mark.parametrize("wrong, message", [
    (keras_order_step, "Keras' order z, r, n"),
    (untransposed_step, "multiply by its transpose"),
    (reset_before_step, "apply the reset gate before the product"),
    (swapped_z_step, "swap z and 1 - z"),
    (lambda *a: (good_step(*a), good_step(*a)), "no separate cell state"),
    (lambda *a: None, "returned None"),
    (lambda *a: good_step(*a).T, "shape"),
])
def test_wrong_steps_are_named(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_gru_step_torch(wrong)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_every_listed_mistake_is_recognised_as_itself(mistake):
    def wrong(*args):
        return numpy_torch_gru_step(*args, **MISTAKES[mistake]).astype(np.float32)

    with pytest.raises(CheckFailed) as raised:
        check_gru_step_torch(wrong)
    assert f"if you {mistake}" in str(raised.value)


def test_hints_step_up_and_the_equation_needs_hint_true():
    def unrecognised(*args):
        return 0.9 * good_step(*args)

    with pytest.raises(CheckFailed) as quiet:
        check_gru_step_torch(unrecognised)
    assert "hint=True" in str(quiet.value) and "(1 - z) * n" not in str(quiet.value)
    with pytest.raises(CheckFailed, match=r"\(1 - z\) \* n \+ z \* h_prev"):
        check_gru_step_torch(unrecognised, hint=True)


def test_stub_is_named():
    def gru_step_torch(*args):
        raise NotImplementedError("write me")

    with pytest.raises(CheckFailed, match="gru_step_torch is still the exercise stub"):
        check_gru_step_torch(gru_step_torch)


def test_conversion_blames_part_1_when_part_1_is_wrong():
    with pytest.raises(CheckFailed, match="Fix part 1 first"):
        check_torch_gru_to_keras(good_convert, swapped_z_step)


def no_reorder(weight_ih, weight_hh, bias_ih, bias_hh):
    return weight_ih.T, weight_hh.T, np.stack([bias_ih, bias_hh])


def no_transpose(weight_ih, weight_hh, bias_ih, bias_hh):
    kernel, recurrent_kernel, bias = good_convert(weight_ih, weight_hh, bias_ih, bias_hh)
    return kernel.T, recurrent_kernel, bias


def swapped_rows(weight_ih, weight_hh, bias_ih, bias_hh):
    kernel, recurrent_kernel, bias = good_convert(weight_ih, weight_hh, bias_ih, bias_hh)
    return kernel, recurrent_kernel, bias[::-1]


def summed_bias(weight_ih, weight_hh, bias_ih, bias_hh):
    kernel, recurrent_kernel, bias = good_convert(weight_ih, weight_hh, bias_ih, bias_hh)
    return kernel, recurrent_kernel, bias.sum(axis=0)


@pytest.mark.parametrize("wrong, message", [
    (no_reorder, "keep PyTorch's block order r, z, n"),
    (no_transpose, "Transpose it"),
    (swapped_rows, "swap the two bias rows"),
    (summed_bias, r"needs \(2, "),
    (lambda *w: None, "returned None"),
    (lambda *w: good_convert(*w)[:2], "should be a tuple of 3 items"),
])
def test_wrong_conversions_are_named(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_torch_gru_to_keras(wrong, good_step)


def block_swap_in_place(weight_ih, weight_hh, bias_ih, bias_hh):
    # Swapping two NumPy views in place duplicates a block (a gate is lost) and changes the
    # arrays the check passed in.
    for w in (weight_ih, weight_hh, bias_ih, bias_hh):
        u = w.shape[0] // 3
        w[:u], w[u:2 * u] = w[u:2 * u], w[:u]
    return good_convert(weight_ih, weight_hh, bias_ih, bias_hh)


def zero_everything(weight_ih, weight_hh, bias_ih, bias_hh):
    for w in (weight_ih, weight_hh, bias_ih, bias_hh):
        w[...] = 0
    return good_convert(weight_ih, weight_hh, bias_ih, bias_hh)


def zeroing_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    for a in (x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
        a[...] = 0
    return np.zeros_like(h_prev)


@pytest.mark.parametrize("wrong", [block_swap_in_place, zero_everything])
def test_a_conversion_that_mutates_its_inputs_fails(wrong):
    with pytest.raises(CheckFailed):
        check_torch_gru_to_keras(wrong, good_step)


def test_a_step_that_zeroes_its_inputs_fails():
    with pytest.raises(CheckFailed):
        check_gru_step_torch(zeroing_step)


def untransposed_recurrent_blocks(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    # Split first, then forget .T on the (units, units) recurrent blocks: shapes fit anyway.
    w_ir, w_iz, w_in = np.split(weight_ih, 3)
    w_hr, w_hz, w_hn = np.split(weight_hh, 3)
    b_ir, b_iz, b_in = np.split(bias_ih, 3)
    b_hr, b_hz, b_hn = np.split(bias_hh, 3)
    r = sigmoid(x_t @ w_ir.T + b_ir + h_prev @ w_hr + b_hr)
    z = sigmoid(x_t @ w_iz.T + b_iz + h_prev @ w_hz + b_hz)
    n = np.tanh(x_t @ w_in.T + b_in + r * (h_prev @ w_hn + b_hn))
    return (1 - z) * n + z * h_prev


def reshape_for_transpose(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    # .reshape gives the transposed shape but not the transposed matrix.
    return good_step(x_t, h_prev, weight_ih.reshape(weight_ih.shape[1], -1).T,
                     weight_hh.reshape(weight_hh.shape[1], -1).T, bias_ih, bias_hh)


@pytest.mark.parametrize("wrong, message", [
    (untransposed_recurrent_blocks, "without transposing"),
    (reshape_for_transpose, r"\.reshape"),
])
def test_a_weight_not_transposed_is_named(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_gru_step_torch(wrong)

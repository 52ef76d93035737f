"""rnncourse.checks.ch05: right answers pass, deliberately wrong ones are named."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import (
    check_bidirectional_forward,
    check_merge_directions,
    check_stacked_bidirectional,
)
from rnncourse.checks._common import CheckFailed, StillAStub
from rnncourse.checks.ch05 import (
    keras_bidirectional,
    keras_stacked,
    numpy_bidirectional,
    numpy_merge,
)


def states(x, kernel, recurrent_kernel, bias):
    h, out = np.zeros((x.shape[0], kernel.shape[1])), []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        out.append(h)
    return np.stack(out, axis=1)


def good_merge(forward, backward, mode):
    return {"concat": lambda: np.concatenate([forward, backward], axis=-1),
            "sum": lambda: forward + backward, "ave": lambda: (forward + backward) / 2,
            "mul": lambda: forward * backward}[mode]()


def good_layer(x, fw, bw, mode="concat", return_sequences=True):
    forward = states(x, *fw)
    backward = states(x[:, ::-1], *bw)
    if not return_sequences:
        return good_merge(forward[:, -1], backward[:, -1], mode)
    return good_merge(forward, backward[:, ::-1], mode)


def good_stack(x, layers, mode="concat"):
    for i, (fw, bw) in enumerate(layers):
        x = good_layer(x, fw, bw, mode, return_sequences=i < len(layers) - 1)
    return x


def random_direction(rng, d, u):
    return (rng.normal(size=(d, u)).astype("float32"), rng.normal(size=(u, u)).astype("float32"),
            rng.normal(size=u).astype("float32"))


def test_the_numpy_references_equal_keras():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    fw, bw = random_direction(rng, 3, 4), random_direction(rng, 3, 4)
    for mode in ("concat", "sum", "ave", "mul"):
        for rs in (True, False):
            np.testing.assert_allclose(numpy_bidirectional(x, fw, bw, mode, rs),
                                       keras_bidirectional(x, fw, bw, mode, rs), atol=1e-5)
    layers = [(fw, bw), (random_direction(rng, 8, 2), random_direction(rng, 8, 2))]
    np.testing.assert_allclose(good_stack(x, layers), keras_stacked(x, layers), atol=1e-5)


@pytest.mark.slow
def test_right_answers_pass(capsys):
    check_merge_directions(good_merge)
    check_bidirectional_forward(good_layer, good_merge)
    check_stacked_bidirectional(good_stack, good_layer, good_merge, seed=3)
    assert capsys.readouterr().out.count("✓ ") == 3


@pytest.mark.parametrize("wrong, message", [
    (lambda f, b, m: numpy_merge(f, b, "sum" if m == "ave" else m),
     "compute merge_mode='sum' when 'ave' was asked for"),
    (lambda f, b, m: np.concatenate([b, f], -1) if m == "concat" else numpy_merge(f, b, m),
     "put the backward states first"),
    (lambda f, b, m: f + b / 2 if m == "ave" else numpy_merge(f, b, m),
     r"divides only the backward states"),
    (lambda f, b, m: np.concatenate([f, b], 1) if m == "concat" else numpy_merge(f, b, m),
     "You joined them along axis 1"),
    (lambda f, b, m: f * b if m == "sum" else numpy_merge(f, b, m),
     "compute merge_mode='mul' when 'sum' was asked for"),
])
def test_merge_mistakes_are_named(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_merge_directions(wrong)


def layer_variant(**switches):
    def forward(x, fw, bw, mode, rs):
        return numpy_bidirectional(x, fw, bw, mode, rs, **switches)
    return forward


@pytest.mark.parametrize("switches, message", [
    ({"last": "end"}, "Keras keeps its \\*final\\* state"),
    ({"flip_back": False}, "back in time order"),
    ({"reverse_input": False}, "left to right"),
    ({"swap": True}, "swap the forward and the backward weights"),
])
def test_layer_mistakes_are_named(switches, message):
    with pytest.raises(CheckFailed, match=message):
        check_bidirectional_forward(layer_variant(**switches), good_merge)


def test_a_wrong_merge_is_blamed_on_part_1():
    with pytest.raises(CheckFailed, match="^Fix part 1 first"):
        check_bidirectional_forward(good_layer, lambda f, b, m: f + b)
    with pytest.raises(CheckFailed, match="^Fix part 1 first"):
        check_stacked_bidirectional(good_stack, good_layer, lambda f, b, m: f + b)


def test_a_wrong_layer_is_blamed_on_part_2():
    with pytest.raises(CheckFailed, match="^Fix part 2 first.*final"):
        check_stacked_bidirectional(good_stack, layer_variant(last="end"), good_merge)


def test_stack_mistakes_are_named():
    def every_step_then_last(x, layers, mode="concat"):
        for fw, bw in layers:
            x = good_layer(x, fw, bw, mode, return_sequences=True)
        return x[:, -1]

    def whole_sequence(x, layers, mode="concat"):
        for fw, bw in layers:
            x = good_layer(x, fw, bw, mode, return_sequences=True)
        return x

    with pytest.raises(CheckFailed, match="keep the last time step of the final layer"):
        check_stacked_bidirectional(every_step_then_last)
    with pytest.raises(CheckFailed, match="the last layer returned its whole sequence"):
        check_stacked_bidirectional(whole_sequence)


def test_hints_step_up():
    def wrong(f, b, m):
        return f - b

    with pytest.raises(CheckFailed) as plain:
        check_merge_directions(wrong)
    assert "hint=True" in str(plain.value) and "np.concatenate" not in str(plain.value)
    with pytest.raises(CheckFailed) as hinted:
        check_merge_directions(wrong, hint=True)
    assert "np.concatenate([forward, backward], axis=-1)" in str(hinted.value)


def test_stub_none_and_crash_are_explained():
    def merge_directions(f, b, m):
        raise NotImplementedError("write me")

    with pytest.raises(StillAStub, match="merge_directions is still the exercise stub"):
        check_merge_directions(merge_directions)
    with pytest.raises(StillAStub, match="^Write part 1 first: merge_directions is still"):
        check_stacked_bidirectional(good_stack, good_layer, merge_directions)
    with pytest.raises(CheckFailed, match="returned None"):
        check_bidirectional_forward(lambda *args: None)
    with pytest.raises(CheckFailed, match="raised IndexError"):
        check_stacked_bidirectional(lambda x, layers, mode: layers[7])

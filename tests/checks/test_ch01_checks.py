"""rnncourse.checks.ch01: right answers pass, deliberately wrong ones are named."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import check_backward_rnn, check_masked_rnn
from rnncourse.checks._common import CheckFailed, StillAStub
from rnncourse.checks.ch01 import CASES, keras_simple_rnn, numpy_masked_rnn


def step(x_t, h, k, r, b):
    return np.tanh(x_t @ k + h @ r + b)


def good_masked(x, mask, h0, k, r, b):
    state, shown, outputs = h0, np.zeros_like(h0), []
    for t in range(x.shape[1]):
        real = mask[:, t, None]
        state = np.where(real, step(x[:, t], state, k, r, b), state)
        shown = np.where(real, state, shown)
        outputs.append(shown)
    return np.stack(outputs, axis=1), state


def good_backward(x, mask, h0, k, r, b):
    return good_masked(x[:, ::-1], mask[:, ::-1], h0, k, r, b)


def variant(state="carry", output="previous output"):
    def forward(x, mask, h0, k, r, b):
        return numpy_masked_rnn(x, mask, h0, k, r, b, state=state, output=output)
    return forward


def test_the_numpy_rule_is_keras_rule():
    rng = np.random.default_rng(3)
    for batch, time, d, n, rows in CASES:
        x = rng.standard_normal((batch, time, d)).astype("float32")
        mask = np.array([[c == "1" for c in row] for row in rows])
        h0 = rng.standard_normal((batch, n)).astype("float32")
        k, r = rng.normal(size=(d, n)).astype("float32"), rng.normal(size=(n, n)).astype("float32")
        b = rng.normal(size=n).astype("float32")
        ours = numpy_masked_rnn(x, mask, h0, k, r, b)
        theirs = keras_simple_rnn(x, mask, h0, k, r, b)
        for a, c in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, c, atol=1e-5)


@pytest.mark.slow
def test_checks_accept_correct_functions(capsys):
    check_masked_rnn(good_masked)
    check_backward_rnn(good_backward, good_masked)
    check_backward_rnn(good_backward)
    out = capsys.readouterr().out
    assert out.count("✓ masked_rnn_forward matches") == 1
    assert out.count("✓ backward_rnn_forward matches") == 2


def ignores_mask(x, mask, h0, k, r, b):
    return good_masked(x, np.ones_like(mask), h0, k, r, b)


def from_zeros(x, mask, h0, k, r, b):
    return good_masked(x, mask, np.zeros_like(h0), k, r, b)


def last_output_as_state(x, mask, h0, k, r, b):
    outputs, _ = good_masked(x, mask, h0, k, r, b)
    return outputs, outputs[:, -1]


def time_first(x, mask, h0, k, r, b):
    outputs, last = good_masked(x, mask, h0, k, r, b)
    return np.swapaxes(outputs, 0, 1), last


def inverted(x, mask, h0, k, r, b):
    return good_masked(x, ~mask, h0, k, r, b)


def without_return(x, mask, h0, k, r, b):
    good_masked(x, mask, h0, k, r, b)


def wrong_step(x, mask, h0, k, r, b):  # a transposed kernel, a shape error inside the loop
    return good_masked(x, mask, h0, k.T, r, b)


@pytest.mark.parametrize("wrong, message", [
    (ignores_mask, "ignore the mask"),
    (variant(state="zero"), "set the state to zero at a masked step, instead"),
    (variant(output="zeros"), "output zeros at every masked step"),
    (variant(output="state"), "before a sequence's first real step Keras outputs zeros"),
    (from_zeros, "start from zeros instead of h0"),
    (inverted, "invert the mask"),
    (time_first, "shape"),
    (last_output_as_state, r"outputs\[:, -1\]"),
    (without_return, "did you forget `return`"),
    (lambda *args: good_masked(*args)[0], "tuple of 2 items"),
    (lambda *args: (good_masked(*args)[0], None), "item 1 .* is None"),
    (wrong_step, "raised ValueError.*batch=1, time=6.*shape \\(2, 3\\)"),
])
def test_masked_check_names_the_mistake(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_masked_rnn(wrong)


def test_masked_check_says_where_the_first_wrong_value_is():
    with pytest.raises(CheckFailed, match="sequence 0, step 0: a padding .*before any real"):
        check_masked_rnn(variant(output="state"))


def test_hints_step_up():
    def off_by_bias(x, mask, h0, k, r, b):
        return good_masked(x, mask, h0, k, r, 0 * b)

    with pytest.raises(CheckFailed) as plain:
        check_masked_rnn(off_by_bias)
    assert "hint=True" in str(plain.value) and "where(real" not in str(plain.value)
    with pytest.raises(CheckFailed, match=r"Hint: .*mask\[:, t, None\].*where\(real"):
        check_masked_rnn(off_by_bias, hint=True)


def stub(*args):
    raise NotImplementedError("write me")


def test_stub_is_turned_into_guidance():
    with pytest.raises(StillAStub, match="still the exercise stub"):
        check_masked_rnn(stub)
    with pytest.raises(StillAStub, match="still the exercise stub"):
        check_backward_rnn(stub)


def test_part_2_on_a_stubbed_part_1_asks_for_part_1_first():
    with pytest.raises(StillAStub, match="Write part 1 first"):
        check_backward_rnn(good_backward, stub)


def outputs_back_in_input_order(x, mask, h0, k, r, b):
    outputs, last = good_backward(x, mask, h0, k, r, b)
    return outputs[:, ::-1], last


@pytest.mark.parametrize("wrong, message", [
    (outputs_back_in_input_order, "reverse the outputs back into input order"),
    (good_masked, "read the sequence forwards"),
    (lambda x, mask, *w: good_masked(x[:, ::-1], mask, *w), "reverse x but not the mask"),
])
def test_backward_check_names_the_mistake(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_backward_rnn(wrong, good_masked)


def test_backward_check_blames_part_1_when_part_1_is_wrong():
    def backward_on_wrong_part_1(x, mask, h0, k, r, b):
        return ignores_mask(x[:, ::-1], mask[:, ::-1], h0, k, r, b)

    with pytest.raises(CheckFailed, match="Fix part 1 first.*ignore the mask"):
        check_backward_rnn(backward_on_wrong_part_1, ignores_mask)


def test_the_hint_can_be_typed_into_numpy_as_it_stands():
    # where(mask[:, t], new, h) is a broadcast error in NumPy: the hint must say None.
    def off_by_bias(x, mask, h0, k, r, b):
        return good_masked(x, mask, h0, k, r, 0 * b)

    with pytest.raises(CheckFailed) as failure:
        check_masked_rnn(off_by_bias, hint=True)
    assert "mask[:, t, None]" in str(failure.value)
    assert "mask[:, t]," not in str(failure.value)


def test_where_the_first_wrong_value_is_reads_as_a_sentence():
    with pytest.raises(CheckFailed) as failure:
        check_masked_rnn(variant(output="state"))
    message = str(failure.value)
    assert "; the first wrong value is in sequence" in message
    assert not any(f" {row} The first" in message for _, _, _, _, rows in CASES for row in rows)


def test_a_part_1_failure_under_hint_true_shows_part_1_hint():
    def off_by_bias(x, mask, h0, k, r, b):
        return good_masked(x, mask, h0, k, r, 0 * b)

    with pytest.raises(CheckFailed) as failure:
        check_backward_rnn(good_backward, off_by_bias, hint=True)
    message = str(failure.value)
    assert message.startswith("Fix part 1 first") and "Hint:" in message
    assert "run the check again with hint=True" not in message

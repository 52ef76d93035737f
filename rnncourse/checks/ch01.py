"""Checks for exercise 1: a SimpleRNN forward pass over padded, masked and reversed batches.

Weight layout (Keras'): ``kernel`` (input_dim, units), ``recurrent_kernel`` (units, units),
``bias`` (units,); one step is h_t = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias).

``masked_rnn_forward(x, mask, h0, kernel, recurrent_kernel, bias) -> (outputs, last_h)``:
``x`` (batch, time, input_dim), ``mask`` (batch, time) of bools (True: a real step, False:
padding), ``h0`` (batch, units). It must return what
``keras.layers.SimpleRNN(units, return_sequences=True, return_state=True)`` returns when
called with ``mask=mask, initial_state=[h0]``: at a masked step the state is carried over
unchanged, and the output at that step repeats the previous step's output (zeros before the
first real step); ``last_h`` is the carried state after the last step.

``backward_rnn_forward(x, mask, h0, ...)``: the same with ``go_backwards=True``: the layer
reads the steps last to first and returns its outputs in the order it produced them.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks._common import (
    assert_matches,
    call_learner,
    expect_tuple,
    random_array,
    report,
    require_earlier_part,
)

# (batch, time, input_dim, units, mask rows): a batch of one with one step and one unit
# (where transposes go unnoticed), non-square kernels, masked steps at the start, in the
# middle and at the end, and a sequence that is padding from start to end.
CASES = [
    (1, 1, 1, 1, ["1"]),
    (1, 6, 2, 3, ["010110"]),
    (3, 5, 4, 2, ["11100", "00000", "01101"]),
    (2, 7, 3, 5, ["0011101", "1101011"]),
]

EQUATIONS = {
    "masked": (
        "for t in 0..T-1: new = tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias); "
        "real = mask[:, t, None] (the None adds the units axis, so that the mask of shape "
        "(batch, 1) broadcasts over (batch, units)); h = where(real, new, h); "
        "out = where(real, h, out) with out starting at zeros; outputs[:, t] = out. "
        "last_h = h."),
    "backward": (
        "read the steps in the order T-1, ..., 0 with the same rule as part 1, and keep "
        "the outputs in that order: backward_rnn_forward(x, mask, ...) equals "
        "masked_rnn_forward(x[:, ::-1], mask[:, ::-1], ...)."),
}


def keras_simple_rnn(x, mask, h0, kernel, recurrent_kernel, bias, go_backwards=False):
    """The oracle: ``(outputs, last_h)`` of keras.layers.SimpleRNN with these weights."""
    import keras

    layer = keras.layers.SimpleRNN(kernel.shape[1], return_sequences=True,
                                   return_state=True, go_backwards=go_backwards)
    layer.build(x.shape)
    layer.set_weights([kernel, recurrent_kernel, bias])
    outputs, last_h = layer(x, mask=None if mask is None else np.asarray(mask, bool),
                            initial_state=[h0])
    return np.asarray(outputs), np.asarray(last_h)


def numpy_masked_rnn(x, mask, h0, kernel, recurrent_kernel, bias, *, state="carry",
                     output="previous output"):
    """The rule of ``masked_rnn_forward`` in NumPy, with switchable (wrong) variants.

    ``state``: what a masked step does to the state, "carry" (Keras) or "zero".
    ``output``: what it outputs, "previous output" (Keras), "zeros" or "state".
    Used to name a learner's mistake: each variant is one typical slip.
    """
    h = np.asarray(h0, np.float64)
    out = np.zeros_like(h)
    outputs = []
    for t in range(x.shape[1]):
        real = np.asarray(mask[:, t], bool)[:, None]
        new = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        h = np.where(real, new, h if state == "carry" else 0.0)
        if output == "previous output":
            out = np.where(real, h, out)
        elif output == "zeros":
            out = np.where(real, h, 0.0)
        else:
            out = h
        outputs.append(out)
    return np.stack(outputs, axis=1), h


def _inputs(rng, batch, time, input_dim, units, rows):
    # Weights scaled so tanh stays in its curved range, where every slip shows.
    x = random_array(rng, batch, time, input_dim)
    mask = np.array([[c == "1" for c in row] for row in rows], dtype=bool)
    h0 = random_array(rng, batch, units)
    kernel = random_array(rng, input_dim, units, scale=0.5)
    recurrent_kernel = random_array(rng, units, units, scale=0.5)
    bias = random_array(rng, units, scale=0.5)
    return x, mask, h0, kernel, recurrent_kernel, bias


def _describe(batch, time, input_dim, units, mask):
    rows = ", ".join("".join("1" if m else "0" for m in row) for row in mask)
    return (f"batch={batch}, time={time}, input_dim={input_dim}, units={units}, "
            f"mask rows {rows}")


def _where_first_wrong(got, expected, mask, reverse=False) -> str:
    """'; the first wrong value is in sequence b, step t: a padding step' or ''."""
    try:
        got = np.asarray(got, np.float64)
    except (TypeError, ValueError):
        return ""
    if got.shape != expected.shape or got.ndim != 3:
        return ""
    wrong = ~np.isclose(got, expected, rtol=1e-5, atol=1e-5)
    if not wrong.any():
        return ""
    steps = np.argwhere(wrong.any(axis=2))
    b, t = min(steps, key=lambda bt: (bt[1], bt[0]))
    step = mask.shape[1] - 1 - t if reverse else t
    kind = "a real step" if mask[b, step] else "a padding (masked) step"
    before = mask[b, :step].any() if not reverse else mask[b, step + 1:].any()
    first = "" if before or not mask[b, step] else ", the first real step of that sequence"
    where = (f"output {t}, which the layer computes at input step {step}" if reverse
             else f"step {t}")
    return (f"; the first wrong value is in sequence {b}, {where}: {kind}{first}"
            + ("" if before or mask[b, step] else ", before any real step"))


def _run_masked(masked_rnn_forward, inputs, name, case):
    result = call_learner(masked_rnn_forward, inputs, name, case=case)
    return expect_tuple(result, 2, f"{name} (the pair (outputs, last_h))")


def check_masked_rnn(masked_rnn_forward, seed: int = 0, hint: bool = False) -> None:
    """Check ``masked_rnn_forward(x, mask, h0, kernel, recurrent_kernel, bias)``.

    Compares ``(outputs, last_h)`` with keras.layers.SimpleRNN(return_sequences=True,
    return_state=True) given the same weights, mask and initial state, on four cases.
    """
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, time, input_dim, units, rows in CASES:
        inputs = _inputs(rng, batch, time, input_dim, units, rows)
        x, mask, h0, kernel, recurrent_kernel, bias = inputs
        expected_out, expected_last = keras_simple_rnn(*inputs)
        case = _describe(batch, time, input_dim, units, mask)
        outputs, last_h = _run_masked(masked_rnn_forward, tuple(np.copy(a) for a in inputs),
                                      "masked_rnn_forward", case)
        unmasked_out, unmasked_last = keras_simple_rnn(x, None, h0, kernel,
                                                       recurrent_kernel, bias)
        from_zeros_out, from_zeros_last = keras_simple_rnn(
            x, mask, np.zeros_like(h0), kernel, recurrent_kernel, bias)
        variant = {(s, o): numpy_masked_rnn(*inputs, state=s, output=o)
                   for s in ("carry", "zero") for o in ("previous output", "zeros", "state")}
        worst = max(worst, assert_matches(
            outputs, expected_out, "outputs",
            case + _where_first_wrong(outputs, expected_out, mask), suspects={
                "ignore the mask (every step updates the state)": unmasked_out,
                "set the state to zero at a masked step, instead of carrying it over "
                "unchanged": variant[("zero", "previous output")][0],
                "output zeros at every masked step; Keras repeats the previous step's "
                "output there": variant[("carry", "zeros")][0],
                "output the carried state at a masked step. That is right after a real "
                "step, but before a sequence's first real step Keras outputs zeros, not "
                "h0": variant[("carry", "state")][0],
                "set the state to zero at a masked step and output it":
                    variant[("zero", "state")][0],
                "start from zeros instead of h0": from_zeros_out,
                "invert the mask (update on padding, keep on real steps)":
                    keras_simple_rnn(x, ~mask, h0, kernel, recurrent_kernel, bias)[0],
                "stack the outputs along axis 0 (time first) instead of axis 1":
                    np.swapaxes(expected_out, 0, 1),
            }, hint=EQUATIONS["masked"], show_hint=hint))
        worst = max(worst, assert_matches(last_h, expected_last, "last_h", case, suspects={
            "return the last output, outputs[:, -1], instead of the carried state (they "
            "differ for a sequence with no real step: its output is zeros, its state h0)":
                expected_out[:, -1],
            "return h0 instead of the final state": h0,
            "ignore the mask (every step updates the state)": unmasked_last,
            "set the state to zero at a masked step, instead of carrying it over":
                variant[("zero", "previous output")][1],
            "start from zeros instead of h0": from_zeros_last,
        }, hint="last_h is the state after the last step, carried over masked steps.",
            show_hint=hint))
        cases.append(case)
    report("masked_rnn_forward",
           "keras.layers.SimpleRNN(return_sequences=True, return_state=True) with a mask",
           cases, worst)


def check_backward_rnn(backward_rnn_forward, masked_rnn_forward=None, seed: int = 0,
                       hint: bool = False) -> None:
    """Check ``backward_rnn_forward(x, mask, h0, kernel, recurrent_kernel, bias)``.

    Compares it with keras.layers.SimpleRNN(go_backwards=True, return_sequences=True,
    return_state=True). Pass your ``masked_rnn_forward`` too: if part 2 calls part 1, a
    mistake in part 1 is reported as such ("fix part 1 first").
    """
    if masked_rnn_forward is not None:
        require_earlier_part("part 1", check_masked_rnn, masked_rnn_forward, seed,
                             hint=hint)
    rng = np.random.default_rng(seed + 1)
    cases, worst = [], 0.0
    for batch, time, input_dim, units, rows in CASES:
        inputs = _inputs(rng, batch, time, input_dim, units, rows)
        x, mask, h0, kernel, recurrent_kernel, bias = inputs
        expected_out, expected_last = keras_simple_rnn(*inputs, go_backwards=True)
        forward_out, forward_last = keras_simple_rnn(*inputs)
        rev_mask_out, rev_mask_last = keras_simple_rnn(
            x[:, ::-1], mask, h0, kernel, recurrent_kernel, bias)
        case = _describe(batch, time, input_dim, units, mask)
        outputs, last_h = _run_masked(backward_rnn_forward,
                                      tuple(np.copy(a) for a in inputs),
                                      "backward_rnn_forward", case)
        worst = max(worst, assert_matches(
            outputs, expected_out, "outputs",
            case + _where_first_wrong(outputs, expected_out, mask, reverse=True), suspects={
                "reverse the outputs back into input order. With go_backwards=True Keras "
                "returns them in the order it computed them: outputs[:, 0] belongs to the "
                "last input step": expected_out[:, ::-1],
                "read the sequence forwards (go_backwards reads x[:, T-1] first)":
                    forward_out,
                "reverse x but not the mask": rev_mask_out,
            }, hint=EQUATIONS["backward"], show_hint=hint))
        worst = max(worst, assert_matches(last_h, expected_last, "last_h", case, suspects={
            "read the sequence forwards (go_backwards reads x[:, T-1] first)": forward_last,
            "reverse x but not the mask": rev_mask_last,
        }, hint="last_h is the state after reading x[:, 0], the last step read.",
            show_hint=hint))
        cases.append(case)
    report("backward_rnn_forward",
           "keras.layers.SimpleRNN(go_backwards=True, return_sequences=True, "
           "return_state=True) with a mask", cases, worst)

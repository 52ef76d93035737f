"""Checks for chapter 3: an LSTM with coupled input and forget gates (CIFG), against Keras.

The CIFG keeps three weight blocks, in the order f (forget), c (candidate), o (output):
``kernel`` (input_dim, 3·units), ``recurrent_kernel`` (units, 3·units), ``bias``
(3·units,). It has no input gate of its own: the input gate is ``1 - f``.

Keras has no CIFG layer, but it does not need one. Because ``1 - sigmoid(a) =
sigmoid(-a)``, a standard ``keras.layers.LSTM`` whose input-gate block holds the
*negated* forget-gate weights and bias computes exactly a CIFG. The oracle of both checks
is that Keras layer.

- ``check_cifg_step(cifg_step)``: part 1, one step ``-> (h_t, c_t)``.
- ``check_cifg_to_lstm(cifg_to_lstm, cifg_step)``: part 2, the conversion to Keras'
  four-block layout (gate order i, f, c, o); it first re-checks part 1 quietly, so that
  a mistake there is not blamed on part 2.

A failing check raises :class:`~rnncourse.checks._common.CheckFailed` with what is wrong
and, where it recognises the mistake, its name; the full equations appear only when the
check is run again with ``hint=True``.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks._common import (
    ATOL,
    RTOL,
    CheckFailed,
    as_array,
    assert_matches,
    call_learner,
    expect_tuple,
    identity,
    random_array,
    report,
    require_earlier_part,
    sigmoid,
)

# (batch, input_dim, units): a size-1 case, non-square kernels, and batch != units.
CASES = [(1, 1, 1), (2, 4, 5), (3, 5, 2), (4, 3, 3)]
SEQUENCE_STEPS = 5  # steps of the whole-sequence comparison in check_cifg_to_lstm

_HINT_STEP = ("z = x_t @ kernel + h_prev @ recurrent_kernel + bias, split into 3 blocks of "
              "units columns in the order f, c, o; f = sigmoid(z_f); "
              "c_t = f * c_prev + (1 - f) * tanh(z_c); h_t = sigmoid(z_o) * tanh(c_t).")
_HINT_CONVERT = ("split each weight into its f, c, o blocks and build Keras' i, f, c, o "
                 "blocks as (-f, f, c, o): 1 - sigmoid(a) = sigmoid(-a), so an input gate "
                 "with the negated forget weights and bias is exactly 1 - f. Negate the "
                 "kernel, the recurrent kernel and the bias.")


def _blocks(weights, count):
    return np.split(np.asarray(weights), count, axis=-1)


def reference_conversion(kernel, recurrent_kernel, bias):
    """CIFG weights (f, c, o) -> Keras LSTM weights (i, f, c, o) with i = -f."""
    def four(weights):
        f, c, o = _blocks(weights, 3)
        return np.concatenate([-f, f, c, o], axis=-1)
    return four(kernel), four(recurrent_kernel), four(bias)


def keras_lstm(x, h0, c0, kernel, recurrent_kernel, bias):
    """The oracle: ``(all h, final h, final c)`` of keras.layers.LSTM with these weights.

    x: (batch, time, input_dim); Keras' four-block weights, gate order i, f, c, o.
    """
    import keras

    layer = keras.layers.LSTM(recurrent_kernel.shape[0], return_sequences=True,
                              return_state=True)
    layer.build((None, None, kernel.shape[0]))
    layer.set_weights([kernel, recurrent_kernel, bias])
    all_h, h, c = layer(x, initial_state=[h0, c0])
    return np.asarray(all_h), np.asarray(h), np.asarray(c)


def keras_cifg_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """``(h_t, c_t)`` of one CIFG step, computed by a Keras LSTM with converted weights."""
    _, h_t, c_t = keras_lstm(x_t[:, None, :], h_prev, c_prev,
                             *reference_conversion(kernel, recurrent_kernel, bias))
    return h_t, c_t


def numpy_cifg_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, *, order="fco",
                    gate=sigmoid, candidate=np.tanh, squash_cell=np.tanh, use_bias=True,
                    use_recurrent=True, coupled=True, input_gate="1 - f"):
    """A CIFG step in float64, with switches that reproduce common mistakes.

    ``order`` names the block each third of the columns is read as (the CIFG's: "fco").
    ``input_gate``: "1 - f" (right), "f" (the same gate twice) or "1" (no input gate).
    """
    z = x_t.astype(np.float64) @ kernel
    if use_recurrent:
        z = z + h_prev @ recurrent_kernel
    if use_bias:
        z = z + bias
    blocks = dict(zip(order, np.split(z, 3, axis=-1), strict=True))
    f, o = gate(blocks["f"]), gate(blocks["o"])
    i = {"1 - f": 1 - f, "f": f, "1": 1.0}[input_gate]
    c_t = (f * c_prev if coupled else c_prev) + i * candidate(blocks["c"])
    return o * squash_cell(c_t), c_t


# Each likely mistake in part 1, as the keyword arguments of numpy_cifg_step.
MISTAKES = {
    "use f as the input gate too (a CIFG's input gate is 1 - f)": {"input_gate": "f"},
    "leave out the input gate (c_t = f * c_prev + candidate; a CIFG writes (1 - f) * "
    "candidate)": {"input_gate": "1"},
    "read the blocks in the order c, f, o (the CIFG's order is f, c, o)": {"order": "cfo"},
    "read the blocks in the order f, o, c (the CIFG's order is f, c, o)": {"order": "foc"},
    "forget the tanh on the candidate": {"candidate": identity},
    "use sigmoid instead of tanh for the candidate": {"candidate": sigmoid},
    "use tanh instead of sigmoid for the gates": {"gate": np.tanh},
    "forget the tanh on the cell state (h_t = o * tanh(c_t), not o * c_t)":
        {"squash_cell": identity},
    "leave out the bias": {"use_bias": False},
    "leave out h_prev @ recurrent_kernel": {"use_recurrent": False},
    "leave out the forget gate on c_prev (c_t = c_prev + (1 - f) * candidate)":
        {"coupled": False},
}


def check_cifg_step(cifg_step, seed: int = 0, *, hint: bool = False) -> None:
    """Check ``cifg_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``.

    The reference is keras.layers.LSTM with the input gate's weights set to the negated
    forget gate's. Run with ``hint=True`` to see the equations in a failure message.
    """
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, input_dim, units in CASES:
        args = random_step_inputs(rng, batch, input_dim, units)
        expected_h, expected_c = keras_cifg_step(*args)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        got_h, got_c = expect_tuple(call_learner(cifg_step, args, "cifg_step", case), 2,
                                    "the result of cifg_step, (h_t, c_t),")
        if (np.shape(got_h) == expected_c.shape and np.shape(got_c) == expected_h.shape
                and np.allclose(got_h, expected_c, atol=1e-5)
                and np.allclose(got_c, expected_h, atol=1e-5)):
            raise CheckFailed(
                f"cifg_step returned (c_t, h_t) ({case}); return them in the order "
                "(h_t, c_t), as Keras' states are [h, c].")
        wrong = {mistake: numpy_cifg_step(*args, **switches)
                 for mistake, switches in MISTAKES.items()}
        worst = max(worst, assert_matches(
            got_c, expected_c, "c_t", case, hint=_HINT_STEP, show_hint=hint,
            suspects={mistake: c for mistake, (_, c) in wrong.items()}))
        worst = max(worst, assert_matches(
            got_h, expected_h, "h_t", case, hint=_HINT_STEP, show_hint=hint,
            suspects={mistake: h for mistake, (h, _) in wrong.items()}))
        cases.append(case)
    report("cifg_step", "keras.layers.LSTM with input gate = -forget gate (one step, random "
           "h_prev and c_prev)", cases, worst)


def _wrong_conversions(kernel, recurrent_kernel, bias):
    """What a converted bias/kernel looks like under each likely mistake of part 2."""
    def build(weights, first, order="ifco"):
        f, c, o = _blocks(weights, 3)
        blocks = {"i": first(f), "f": f, "c": c, "o": o}
        return np.concatenate([blocks[g] for g in order], axis=-1)

    def same(f):
        return f

    def negate(f):
        return -f

    return {
        "copy the forget block into the input block; it must be negated, because "
        "1 - sigmoid(a) = sigmoid(-a)": [build(w, same) for w in (kernel, recurrent_kernel,
                                                                  bias)],
        "negate the kernels but not the bias of the input block":
            [build(kernel, negate), build(recurrent_kernel, negate), build(bias, same)],
        "negate the input block of the kernel and the bias but not of the recurrent kernel":
            [build(kernel, negate), build(recurrent_kernel, same), build(bias, negate)],
        "set the input block to 1 - (forget block); the gate is 1 - sigmoid(a), which is "
        "sigmoid(-a), not sigmoid(1 - a)":
            [build(w, lambda f: 1 - f) for w in (kernel, recurrent_kernel, bias)],
        "put the blocks in the order f, i, c, o (Keras' order is i, f, c, o)":
            [build(w, negate, "fico") for w in (kernel, recurrent_kernel, bias)],
    }


def check_cifg_to_lstm(cifg_to_lstm, cifg_step, seed: int = 0, *, hint: bool = False) -> None:
    """Check ``cifg_to_lstm(kernel, recurrent_kernel, bias) -> (kernel, recurrent_kernel, bias)``.

    The converted weights go into keras.layers.LSTM, which must then compute, over a
    whole sequence, what your ``cifg_step`` (part 1) computes. Part 1 is checked first.
    """
    require_earlier_part("part 1", check_cifg_step, cifg_step, seed=seed, hint=hint)
    rng = np.random.default_rng(seed + 1)
    cases, worst = [], 0.0
    for batch, input_dim, units in CASES:
        _, h0, c0, kernel, recurrent_kernel, bias = random_step_inputs(rng, batch, input_dim,
                                                                       units)
        x = random_array(rng, batch, SEQUENCE_STEPS, input_dim)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        converted = expect_tuple(
            call_learner(cifg_to_lstm, (kernel, recurrent_kernel, bias), "cifg_to_lstm", case),
            3, "the result of cifg_to_lstm, (kernel, recurrent_kernel, bias),")
        expected = reference_conversion(kernel, recurrent_kernel, bias)
        names = ("kernel", "recurrent_kernel", "bias")
        converted = [as_array(w, f"the converted {name}") for w, name in zip(converted, names,
                                                                              strict=True)]
        for got, want, name in zip(converted, expected, names, strict=True):
            if got.shape != want.shape:
                raise CheckFailed(
                    f"the converted {name} has shape {got.shape}; keras.layers.LSTM({units}) "
                    f"on {input_dim} features needs {want.shape}: four blocks of {units} "
                    f"columns, i, f, c, o ({case}).")
        keras_all_h, _, keras_c = keras_lstm(x, h0, c0,
                                             *(w.astype(np.float32) for w in converted))
        h, c, states = h0, c0, []
        for t in range(SEQUENCE_STEPS):
            h, c = expect_tuple(call_learner(cifg_step, (x[:, t], h, c, kernel,
                                                         recurrent_kernel, bias),
                                             "cifg_step", case), 2,
                                "the result of cifg_step, (h_t, c_t),")
            states.append(np.asarray(h, dtype=np.float64))
        suspects = {}  # run Keras with each likely mistake only when the states differ
        if not np.allclose(keras_all_h, np.stack(states, axis=1), rtol=RTOL, atol=ATOL):
            suspects = {mistake: keras_lstm(x, h0, c0, *(w.astype(np.float32)
                                                         for w in weights))[0]
                        for mistake, weights in _wrong_conversions(kernel, recurrent_kernel,
                                                                   bias).items()}
        worst = max(worst, assert_matches(
            keras_all_h, np.stack(states, axis=1),
            "keras.layers.LSTM's hidden states with your converted weights", case,
            suspects=suspects, hint=_HINT_CONVERT, show_hint=hint))
        worst = max(worst, assert_matches(keras_c, c, "the final cell state", case,
                                          hint=_HINT_CONVERT, show_hint=hint))
        cases.append(case)
    report("cifg_to_lstm", f"your cifg_step over {SEQUENCE_STEPS} steps, run by "
           "keras.layers.LSTM with the converted weights", cases, worst)


def random_step_inputs(rng, batch, input_dim, units):
    """(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) of a random CIFG case.

    Weights scaled so that the sigmoids and tanhs work in their curved range, where every
    mistake changes the output visibly; random states, not zeros, so that a mistake
    involving h_prev or c_prev shows too.
    """
    return (random_array(rng, batch, input_dim), random_array(rng, batch, units),
            random_array(rng, batch, units),
            random_array(rng, input_dim, 3 * units, scale=0.5),
            random_array(rng, units, 3 * units, scale=0.5),
            random_array(rng, 3 * units, scale=0.5))

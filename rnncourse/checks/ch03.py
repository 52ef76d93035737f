"""Checks for chapter 3: one LSTM step, against keras.layers.LSTM.

Weight layout (Keras'): ``kernel`` (input_dim, 4·units), ``recurrent_kernel``
(units, 4·units), ``bias`` (4·units,), the four column blocks in the gate order
i (input), f (forget), c (candidate), o (output)::

    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  candidate = tanh(z_c)
    c_t = f * c_prev + i * candidate;  h_t = o * tanh(c_t)
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks._common import assert_matches, call_learner, random_array, report

# (batch, input_dim, units): a size-1 case, non-square kernels, and batch != units.
CASES = [(1, 1, 1), (2, 4, 5), (3, 5, 2), (4, 3, 3)]

_HINT = ("z = x_t @ kernel + h_prev @ recurrent_kernel + bias, split into 4 blocks of units "
         "columns in the order i, f, c, o; c_t = f * c_prev + i * tanh(z_c); "
         "h_t = o * tanh(c_t).")


def keras_lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """The oracle: ``(h_t, c_t)`` from one step of keras.layers.LSTM with these weights."""
    import keras

    layer = keras.layers.LSTM(recurrent_kernel.shape[0], return_state=True)
    layer.build((None, 1, kernel.shape[0]))
    layer.set_weights([kernel, recurrent_kernel, bias])
    _, h_t, c_t = layer(x_t[:, None, :], initial_state=[h_prev, c_prev])
    return np.asarray(h_t), np.asarray(c_t)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _identity(z):
    return z


def numpy_lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, *, order="ifco",
                    gate=_sigmoid, candidate=np.tanh, squash_cell=np.tanh, use_bias=True,
                    use_recurrent=True, use_forget=True, use_input=True):
    """An LSTM step in float64, with switches that reproduce common mistakes.

    ``order`` names the gate each column block is read as (Keras: "ifco").
    """
    z = x_t.astype(np.float64) @ kernel
    if use_recurrent:
        z = z + h_prev @ recurrent_kernel
    if use_bias:
        z = z + bias
    blocks = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    i, f, o = gate(blocks["i"]), gate(blocks["f"]), gate(blocks["o"])
    c_t = (f if use_forget else 1.0) * c_prev + (i if use_input else 1.0) * candidate(blocks["c"])
    return o * squash_cell(c_t), c_t


# Each likely mistake, as the keyword arguments of numpy_lstm_step that reproduce it.
MISTAKES = {
    "read the gate blocks in the order i, f, o, c (Keras' order is i, f, c, o)":
        {"order": "ifoc"},
    "swap the input and forget gates (Keras' order is i, f, c, o)": {"order": "fico"},
    "read the blocks in TensorFlow 1's order i, c, f, o (Keras' order is i, f, c, o)":
        {"order": "icfo"},
    "forget the tanh on the candidate": {"candidate": _identity},
    "use sigmoid instead of tanh for the candidate": {"candidate": _sigmoid},
    "use tanh instead of sigmoid for the gates": {"gate": np.tanh},
    "forget the sigmoid on the gates": {"gate": _identity},
    "forget the tanh on the cell state (h_t = o * tanh(c_t), not o * c_t)":
        {"squash_cell": _identity},
    "leave out the bias": {"use_bias": False},
    "leave out h_prev @ recurrent_kernel": {"use_recurrent": False},
    "leave out the forget gate (c_t = c_prev + i * candidate)": {"use_forget": False},
    "leave out the input gate (c_t = f * c_prev + candidate)": {"use_input": False},
}


def check_lstm_step(lstm_step, seed: int = 0) -> None:
    """Check ``lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``."""
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, input_dim, units in CASES:
        args = _random_step_inputs(rng, batch, input_dim, units)
        expected_h, expected_c = keras_lstm_step(*args)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        result = call_learner(lstm_step, args, "lstm_step")
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise AssertionError(
                "lstm_step should return a pair (h_t, c_t), got "
                f"{type(result).__name__}" + (f" of length {len(result)}"
                                              if isinstance(result, (tuple, list)) else ""))
        got_h, got_c = result
        if (np.shape(got_h) == expected_c.shape and np.shape(got_c) == expected_h.shape
                and np.allclose(got_h, expected_c, atol=1e-5)
                and np.allclose(got_c, expected_h, atol=1e-5)):
            raise AssertionError(
                f"lstm_step returned (c_t, h_t) ({case}); return them in the order "
                "(h_t, c_t), as Keras' states are [h, c].")
        wrong = {mistake: numpy_lstm_step(*args, **switches)
                 for mistake, switches in MISTAKES.items()}
        worst = max(worst, assert_matches(
            got_c, expected_c, "c_t", case, hint=_HINT,
            suspects={mistake: c for mistake, (_, c) in wrong.items()}))
        worst = max(worst, assert_matches(
            got_h, expected_h, "h_t", case, hint=_HINT,
            suspects={mistake: h for mistake, (h, _) in wrong.items()}))
        cases.append(case)
    report("lstm_step", "keras.layers.LSTM (one step, random h_prev and c_prev)", cases, worst)


def _random_step_inputs(rng, batch, input_dim, units):
    # Weights scaled so that the sigmoids and tanhs work in their curved range, where
    # every mistake changes the output visibly; random states, not zeros, so that a
    # mistake involving h_prev or c_prev shows too.
    return (random_array(rng, batch, input_dim), random_array(rng, batch, units),
            random_array(rng, batch, units),
            random_array(rng, input_dim, 4 * units, scale=0.5),
            random_array(rng, units, 4 * units, scale=0.5),
            random_array(rng, 4 * units, scale=0.5))

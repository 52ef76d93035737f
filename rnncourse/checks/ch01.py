"""Checks for chapter 1: the simple RNN step and forward pass, against keras.layers.SimpleRNN.

Weight layout (Keras'): ``kernel`` (input_dim, units), ``recurrent_kernel`` (units, units),
``bias`` (units,); h_t = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias).
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks._common import assert_matches, call_learner, random_array, report

# (batch, time, input_dim, units): includes size-1 axes, where transposes go unnoticed
# by shape alone, and non-square kernels, where they do not.
CASES = [(1, 1, 1, 1), (2, 3, 4, 5), (3, 6, 5, 2), (4, 2, 3, 3)]


def keras_simple_rnn(x, h0, kernel, recurrent_kernel, bias):
    """The oracle: ``(all_h, last_h)`` from keras.layers.SimpleRNN with these weights."""
    import keras

    layer = keras.layers.SimpleRNN(kernel.shape[1], return_sequences=True, return_state=True)
    layer.build(x.shape)
    layer.set_weights([kernel, recurrent_kernel, bias])
    all_h, last_h = layer(x, initial_state=[h0])
    return np.asarray(all_h), np.asarray(last_h)


def check_rnn_step(rnn_step, seed: int = 0) -> None:
    """Check ``rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t``."""
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, _, input_dim, units in CASES:
        x_t, h_prev, kernel, recurrent_kernel, bias = _random_step_inputs(
            rng, batch, input_dim, units)
        _, expected = keras_simple_rnn(x_t[:, None, :], h_prev, kernel, recurrent_kernel, bias)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        got = call_learner(rnn_step, (x_t, h_prev, kernel, recurrent_kernel, bias), "rnn_step")
        pre = x_t @ kernel + h_prev @ recurrent_kernel + bias
        worst = max(worst, assert_matches(got, expected, "h_t", case, suspects={
            "forget the tanh": pre,
            "use sigmoid instead of tanh": 1 / (1 + np.exp(-pre)),
            "leave out the bias": np.tanh(x_t @ kernel + h_prev @ recurrent_kernel),
            "leave out the previous state h_prev": np.tanh(x_t @ kernel + bias),
            "transpose the recurrent kernel (h_prev @ recurrent_kernel.T)":
                np.tanh(x_t @ kernel + h_prev @ recurrent_kernel.T + bias),
        }, hint="h_t = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)"))
        cases.append(case)
    report("rnn_step", "keras.layers.SimpleRNN (one step)", cases, worst)


def check_rnn_forward(rnn_forward, seed: int = 0) -> None:
    """Check ``rnn_forward(x, h0, kernel, recurrent_kernel, bias) -> (all_h, last_h)``."""
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, time, input_dim, units in CASES:
        _, h0, kernel, recurrent_kernel, bias = _random_step_inputs(rng, batch, input_dim, units)
        x = random_array(rng, batch, time, input_dim)
        expected_all, expected_last = keras_simple_rnn(x, h0, kernel, recurrent_kernel, bias)
        case = f"batch={batch}, time={time}, input_dim={input_dim}, units={units}"
        result = call_learner(rnn_forward, (x, h0, kernel, recurrent_kernel, bias),
                              "rnn_forward")
        if not (isinstance(result, tuple) and len(result) == 2):
            raise AssertionError(
                "rnn_forward should return a pair (all_h, last_h), got "
                f"{type(result).__name__}{'' if not isinstance(result, tuple) else len(result)}.")
        all_h, last_h = result
        zeros = np.zeros_like(h0)
        from_zeros, _ = keras_simple_rnn(x, zeros, kernel, recurrent_kernel, bias)
        worst = max(worst, assert_matches(all_h, expected_all, "all_h", case, suspects={
            "start from zeros instead of h0": from_zeros,
            "stack the states along axis 0 (time first) instead of axis 1":
                np.swapaxes(expected_all, 0, 1),
            "put h0 first and drop the last state":
                np.concatenate([h0[:, None, :], expected_all[:, :-1]], axis=1),
        }, hint="all_h[:, t] is the state after reading x[:, t]; stack along axis 1."))
        worst = max(worst, assert_matches(last_h, expected_last, "last_h", case, suspects={
            "return h0 instead of the final state": h0,
            "return the first state instead of the last": expected_all[:, 0],
        }, hint="last_h is the state after the final time step, all_h[:, -1]."))
        cases.append(case)
    report("rnn_forward", "keras.layers.SimpleRNN(return_sequences=True, return_state=True)",
           cases, worst)


def _random_step_inputs(rng, batch, input_dim, units):
    # Scale the weights so tanh stays in its curved range (not saturated at ±1), where
    # every mistake shows up as a visible difference.
    return (random_array(rng, batch, input_dim), random_array(rng, batch, units),
            random_array(rng, input_dim, units, scale=0.5),
            random_array(rng, units, units, scale=0.5), random_array(rng, units, scale=0.5))

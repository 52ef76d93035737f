"""Checks for chapter 4: one GRU step, against keras.layers.GRU with its default
``reset_after=True``.

Weight layout (Keras'): ``kernel`` (input_dim, 3·units), ``recurrent_kernel``
(units, 3·units), ``bias`` (2, 3·units): row 0 is added to the input part, row 1 to the
recurrent part; the three column blocks are in the order z (update), r (reset),
h (candidate)::

    x_part = x_t @ kernel + bias[0];  h_part = h_prev @ recurrent_kernel + bias[1]
    z = sigmoid(x_z + h_z);  r = sigmoid(x_r + h_r)
    candidate = tanh(x_h + r * h_h)          # reset applied after the matmul
    h_t = z * h_prev + (1 - z) * candidate

``check_gru_step(fn, reset_after=False)`` checks the textbook form instead (Cho et al.
2014; ``keras.layers.GRU(reset_after=False)``): one bias row of shape (3·units,), and the
reset gate applied before the matrix product, ``candidate = tanh(x_h + (r * h_prev) @ U_h)``.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks._common import assert_matches, call_learner, random_array, report

# (batch, input_dim, units): non-square kernels, batch != units and != 2 (so that adding the
# whole (2, 3·units) bias fails loudly), and a size-1 case. The size-1 case comes last: with
# one unit, r * (h @ U) equals (r * h) @ U, so it cannot tell some mistakes apart.
CASES = [(3, 5, 2), (2, 4, 5), (4, 3, 3), (1, 1, 1)]

_HINT = ("x_part = x_t @ kernel + bias[0] and h_part = h_prev @ recurrent_kernel + bias[1], "
         "each split into blocks z, r, h; z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r); "
         "candidate = tanh(x_h + r * h_h); h_t = z * h_prev + (1 - z) * candidate.")


def keras_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, *, reset_after=True):
    """The oracle: ``h_t`` from one step of keras.layers.GRU with these weights."""
    import keras

    layer = keras.layers.GRU(recurrent_kernel.shape[0], reset_after=reset_after)
    layer.build((None, 1, kernel.shape[0]))
    layer.set_weights([kernel, recurrent_kernel, bias])
    return np.asarray(layer(x_t[:, None, :], initial_state=[h_prev]))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _identity(z):
    return z


def numpy_gru_step(x_t, h_prev, kernel, recurrent_kernel, bias, *, order="zrh",
                   reset="after", input_bias=True, recurrent_bias=True, gate=_sigmoid,
                   candidate=np.tanh, z_keeps_old=True, use_reset=True):
    """A reset_after GRU step in float64, with switches that reproduce common mistakes.

    ``order`` names the block each third of the columns is read as (Keras: "zrh").
    ``reset``: "after" (Keras' default), "before" (the textbook form, r * h_prev
    multiplied by the recurrent kernel), or "after, bias outside" (r multiplies
    h_prev @ U_h but not its bias).
    """
    units = recurrent_kernel.shape[0]
    b_x = bias[0] if input_bias else np.zeros(3 * units)
    b_h = bias[1] if recurrent_bias else np.zeros(3 * units)
    x_blocks = dict(zip(order, np.split(x_t.astype(np.float64) @ kernel + b_x, 3, axis=-1),
                        strict=True))
    h_matmul = dict(zip(order, np.split(h_prev.astype(np.float64) @ recurrent_kernel, 3,
                                        axis=-1), strict=True))
    h_bias = dict(zip(order, np.split(b_h, 3), strict=True))
    z = gate(x_blocks["z"] + h_matmul["z"] + h_bias["z"])
    r = gate(x_blocks["r"] + h_matmul["r"] + h_bias["r"]) if use_reset else 1.0
    u_h = dict(zip(order, np.split(recurrent_kernel, 3, axis=-1), strict=True))["h"]
    if reset == "after":
        recurrent = r * (h_matmul["h"] + h_bias["h"])
    elif reset == "before":
        recurrent = (r * h_prev) @ u_h + h_bias["h"]
    else:
        recurrent = r * h_matmul["h"] + h_bias["h"]
    new = candidate(x_blocks["h"] + recurrent)
    return z * h_prev + (1 - z) * new if z_keeps_old else (1 - z) * h_prev + z * new


# Each likely mistake, as the keyword arguments of numpy_gru_step that reproduce it.
MISTAKES = {
    "apply the reset gate before the matmul, (r * h_prev) @ U_h, the textbook form; "
    "Keras' default reset_after=True computes r * (h_prev @ U_h + bias[1]_h)":
        {"reset": "before"},
    "apply the reset gate to h_prev @ U_h but not to its bias (Keras: r * (h_prev @ U_h "
    "+ bias[1]_h))": {"reset": "after, bias outside"},
    "use only bias[0] and forget bias[1], the recurrent bias": {"recurrent_bias": False},
    "use only bias[1] and forget bias[0], the input bias": {"input_bias": False},
    "leave out the bias": {"input_bias": False, "recurrent_bias": False},
    "read the blocks in the order r, z, h (Keras' order is z, r, h)": {"order": "rzh"},
    "swap z and 1 - z (Keras: h_t = z * h_prev + (1 - z) * candidate)":
        {"z_keeps_old": False},
    "forget the tanh on the candidate": {"candidate": _identity},
    "use sigmoid instead of tanh for the candidate": {"candidate": _sigmoid},
    "use tanh instead of sigmoid for the gates": {"gate": np.tanh},
    "forget the sigmoid on the gates": {"gate": _identity},
    "leave out the reset gate": {"use_reset": False},
}


# The same for the textbook form (reset_after=False, one bias row): each mistake's switches
# for numpy_gru_step, which then gets the bias as [bias, zeros].
MISTAKES_TEXTBOOK = {
    "apply the reset gate after the matmul, r * (h_prev @ U_h), Keras' default form; "
    "reset_after=False computes (r * h_prev) @ U_h": {"reset": "after"},
    "leave out the bias": {"reset": "before", "input_bias": False},
    "read the blocks in the order r, z, h (Keras' order is z, r, h)":
        {"reset": "before", "order": "rzh"},
    "swap z and 1 - z (Keras: h_t = z * h_prev + (1 - z) * candidate)":
        {"reset": "before", "z_keeps_old": False},
    "forget the tanh on the candidate": {"reset": "before", "candidate": _identity},
    "use sigmoid instead of tanh for the candidate": {"reset": "before", "candidate": _sigmoid},
    "use tanh instead of sigmoid for the gates": {"reset": "before", "gate": np.tanh},
    "forget the sigmoid on the gates": {"reset": "before", "gate": _identity},
    "leave out the reset gate": {"reset": "before", "use_reset": False},
}

_HINT_TEXTBOOK = ("x_part = x_t @ kernel + bias, split into blocks z, r, h; "
                  "z, r = sigmoid(x_z + h_prev @ U_z), sigmoid(x_r + h_prev @ U_r); "
                  "candidate = tanh(x_h + (r * h_prev) @ U_h); "
                  "h_t = z * h_prev + (1 - z) * candidate.")


def check_gru_step(gru_step, seed: int = 0, *, reset_after: bool = True) -> None:
    """Check ``gru_step(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t``.

    ``reset_after=True`` (default): Keras' default layout, bias of shape (2, 3·units).
    ``reset_after=False``: the textbook form, bias of shape (3·units,).
    """
    name = getattr(gru_step, "__name__", "gru_step")
    name = name if name.isidentifier() else "gru_step"  # e.g. a lambda
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, input_dim, units in CASES:
        args = _random_step_inputs(rng, batch, input_dim, units, reset_after)
        expected = keras_gru_step(*args, reset_after=reset_after)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        try:
            got = call_learner(gru_step, args, name)
        except ValueError as error:
            if reset_after and "broadcast" in str(error):
                raise AssertionError(
                    f"{name} failed with {error!r} ({case}). bias has shape (2, 3·units): "
                    "add bias[0] to x_t @ kernel and bias[1] to h_prev @ recurrent_kernel, "
                    "not the whole bias at once.") from error
            raise
        if isinstance(got, (tuple, list)):
            raise AssertionError(
                f"{name} should return h_t alone (one array), got a {type(got).__name__} "
                f"of length {len(got)}: a GRU has no separate cell state.")
        if reset_after:
            suspects = {mistake: numpy_gru_step(*args, **switches)
                        for mistake, switches in MISTAKES.items()}
        else:
            *front, bias = args
            two_rows = np.stack([bias, np.zeros_like(bias)])
            suspects = {mistake: numpy_gru_step(*front, two_rows, **switches)
                        for mistake, switches in MISTAKES_TEXTBOOK.items()}
        worst = max(worst, assert_matches(
            got, expected, "h_t", case, suspects=suspects,
            hint=_HINT if reset_after else _HINT_TEXTBOOK))
        cases.append(case)
    report(name, f"keras.layers.GRU (reset_after={reset_after}, one step, random h_prev)",
           cases, worst)


def _random_step_inputs(rng, batch, input_dim, units, reset_after=True):
    # Weights scaled so that the sigmoids and tanh work in their curved range, and a
    # random h_prev, so that every mistake changes the output visibly.
    bias_shape = (2, 3 * units) if reset_after else (3 * units,)
    return (random_array(rng, batch, input_dim), random_array(rng, batch, units),
            random_array(rng, input_dim, 3 * units, scale=0.5),
            random_array(rng, units, 3 * units, scale=0.5),
            random_array(rng, *bias_shape, scale=0.5))

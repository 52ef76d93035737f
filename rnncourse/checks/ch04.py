"""Checks for chapter 4: a GRU in PyTorch's layout, and its conversion to Keras'.

PyTorch's ``torch.nn.GRU`` stores the three blocks as *rows*, in the order r (reset),
z (update), n (new, the candidate): ``weight_ih`` (3·units, input_dim), ``weight_hh``
(3·units, units), and two bias vectors ``bias_ih`` and ``bias_hh`` (3·units,). It applies
the reset gate after the recurrent product, as Keras' default ``reset_after=True`` does.
Keras stores the blocks as *columns* in the order z, r, h: ``kernel`` (input_dim, 3·units),
``recurrent_kernel`` (units, 3·units), ``bias`` (2, 3·units) with row 0 for the input
part and row 1 for the recurrent part. The oracle of both checks is
``keras.layers.GRU(reset_after=True)`` given converted weights.

- ``check_gru_step_torch(gru_step_torch)``: part 1, one step in PyTorch's layout.
- ``check_torch_gru_to_keras(torch_gru_to_keras, gru_step_torch)``: part 2, the weight
  conversion; it re-checks part 1 quietly first, so that a mistake there is not blamed on
  part 2.

A failing check raises :class:`~rnncourse.checks._common.CheckFailed`; the full equations
appear only when the check is run again with ``hint=True``.
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

# (batch, input_dim, units): non-square weights, batch != units, and a size-1 case. The
# size-1 case comes last: with one unit, r * (h W) equals (r * h) W, so it cannot tell
# some mistakes apart.
CASES = [(3, 5, 2), (2, 4, 5), (4, 3, 3), (1, 1, 1)]
SEQUENCE_STEPS = 5  # steps of the whole-sequence comparison in the conversion check

_HINT_STEP = ("gi = x_t @ weight_ih.T + bias_ih and gh = h_prev @ weight_hh.T + bias_hh, each "
              "split into blocks r, z, n; r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z); "
              "n = tanh(gi_n + r * gh_n); h_t = (1 - z) * n + z * h_prev.")
_HINT_CONVERT = ("split weight_ih, weight_hh, bias_ih and bias_hh into their r, z, n blocks "
                 "(along the rows); reorder them to z, r, n; transpose the weights so that "
                 "kernel is (input_dim, 3·units); bias = np.stack([bias_ih reordered, "
                 "bias_hh reordered]).")


def _rows(weights, order):
    return dict(zip(order, np.split(np.asarray(weights), 3, axis=0), strict=True))


def reference_conversion(weight_ih, weight_hh, bias_ih, bias_hh):
    """PyTorch GRU weights -> Keras GRU(reset_after=True) weights."""
    def zrh(weights):
        blocks = _rows(weights, "rzn")
        return np.concatenate([blocks["z"], blocks["r"], blocks["n"]], axis=0)
    return zrh(weight_ih).T, zrh(weight_hh).T, np.stack([zrh(bias_ih), zrh(bias_hh)])


def keras_gru(x, h0, kernel, recurrent_kernel, bias):
    """The oracle: every state ``(batch, time, units)`` of keras.layers.GRU (reset_after=True)."""
    import keras

    layer = keras.layers.GRU(recurrent_kernel.shape[0], return_sequences=True)
    layer.build((None, None, kernel.shape[0]))
    layer.set_weights([kernel, recurrent_kernel, bias])
    return np.asarray(layer(x, initial_state=[h0]))


def keras_torch_gru_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """One step of a PyTorch-layout GRU, computed by Keras with converted weights."""
    converted = reference_conversion(weight_ih, weight_hh, bias_ih, bias_hh)
    return keras_gru(x_t[:, None, :], h_prev, *converted)[:, 0]


def numpy_torch_gru_step(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, *, order="rzn",
                         reset="after", use_bias_ih=True, use_bias_hh=True, gate=sigmoid,
                         candidate=np.tanh, z_keeps_old=True, transpose_recurrent=True,
                         reshape_for_transpose=False):
    """A PyTorch-layout GRU step in float64, with switches that reproduce common mistakes.

    ``order`` names the block each third of the rows is read as (PyTorch's: "rzn").
    ``reset``: "after" (PyTorch), "before" ((r * h_prev) @ W_hn.T) or "after, bias
    outside" (r multiplies h_prev @ W_hn.T but not b_hn).
    ``transpose_recurrent=False``: h_prev @ W_h (a (units, units) block fits without .T).
    ``reshape_for_transpose=True``: each weight reshaped to the transposed shape instead
    of transposed (``weight.reshape(in, 3·units)`` for ``weight.T``).
    """
    if reshape_for_transpose:  # x @ w.reshape(n, -1) is x @ w'.T with w' = w.reshape(n, -1).T
        weight_ih = weight_ih.reshape(weight_ih.shape[1], -1).T
        weight_hh = weight_hh.reshape(weight_hh.shape[1], -1).T
    b_i = bias_ih if use_bias_ih else np.zeros_like(bias_ih)
    b_h = bias_hh if use_bias_hh else np.zeros_like(bias_hh)
    w_i, w_h = _rows(weight_ih, order), _rows(weight_hh, order)
    bi, bh = _rows(b_i, order), _rows(b_h, order)
    if transpose_recurrent:
        w_h = {gate_name: block.T for gate_name, block in w_h.items()}
    x, h = x_t.astype(np.float64), h_prev.astype(np.float64)
    r = gate(x @ w_i["r"].T + bi["r"] + h @ w_h["r"] + bh["r"])
    z = gate(x @ w_i["z"].T + bi["z"] + h @ w_h["z"] + bh["z"])
    if reset == "after":
        recurrent = r * (h @ w_h["n"] + bh["n"])
    elif reset == "before":
        recurrent = (r * h) @ w_h["n"] + bh["n"]
    else:
        recurrent = r * (h @ w_h["n"]) + bh["n"]
    n = candidate(x @ w_i["n"].T + bi["n"] + recurrent)
    return (1 - z) * n + z * h if z_keeps_old else z * n + (1 - z) * h


# Each likely mistake in part 1, as the keyword arguments of numpy_torch_gru_step.
MISTAKES = {
    "read the rows in Keras' order z, r, n (PyTorch's order is r, z, n)": {"order": "zrn"},
    "apply the reset gate before the product, (r * h_prev) @ W_hn.T, the textbook form; "
    "PyTorch computes r * (h_prev @ W_hn.T + b_hn)": {"reset": "before"},
    "apply the reset gate to h_prev @ W_hn.T but not to its bias b_hn (PyTorch: "
    "r * (h_prev @ W_hn.T + b_hn))": {"reset": "after, bias outside"},
    "leave out bias_hh": {"use_bias_hh": False},
    "leave out bias_ih": {"use_bias_ih": False},
    "leave out both biases": {"use_bias_ih": False, "use_bias_hh": False},
    "swap z and 1 - z (PyTorch: h_t = (1 - z) * n + z * h_prev)": {"z_keeps_old": False},
    "forget the tanh on the candidate n": {"candidate": identity},
    "use sigmoid instead of tanh for the candidate n": {"candidate": sigmoid},
    "use tanh instead of sigmoid for the gates": {"gate": np.tanh},
    "multiply h_prev by the recurrent blocks without transposing them (h_prev @ W_hr.T, "
    "not h_prev @ W_hr: a (units, units) block fits either way, but PyTorch stores one row "
    "per output)": {"transpose_recurrent": False},
    "use .reshape where the weights need .T: it gives the transposed shape, not the "
    "transposed matrix": {"reshape_for_transpose": True},
}


def _explain_transpose(error: CheckFailed, name: str) -> CheckFailed:
    text = str(error)
    if "raised ValueError" in text and ("matmul" in text or "aligned" in text
                                        or "broadcast" in text):
        return CheckFailed(f"{text}\nPyTorch stores a weight as (3·units, input_dim), one "
                           "row per output: multiply by its transpose, x_t @ weight_ih.T.")
    return error


def check_gru_step_torch(gru_step_torch, seed: int = 0, *, hint: bool = False) -> None:
    """Check ``gru_step_torch(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> h_t``.

    The reference is keras.layers.GRU(reset_after=True) with the weights converted from
    PyTorch's layout. Run with ``hint=True`` to see the equations in a failure message.
    """
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, input_dim, units in CASES:
        args = random_step_inputs(rng, batch, input_dim, units)
        expected = keras_torch_gru_step(*args)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        try:
            got = call_learner(gru_step_torch, args, "gru_step_torch", case)
        except CheckFailed as error:
            raise _explain_transpose(error, "gru_step_torch") from None
        if isinstance(got, (tuple, list)):
            raise CheckFailed(
                f"gru_step_torch should return h_t alone (one array), got a "
                f"{type(got).__name__} of length {len(got)}: a GRU has no separate cell state.")
        suspects = {mistake: numpy_torch_gru_step(*args, **switches)
                    for mistake, switches in MISTAKES.items()}
        worst = max(worst, assert_matches(got, expected, "h_t", case, suspects=suspects,
                                          hint=_HINT_STEP, show_hint=hint))
        cases.append(case)
    report("gru_step_torch", "keras.layers.GRU (reset_after=True, weights converted from "
           "PyTorch's layout; one step, random h_prev)", cases, worst)


def _wrong_conversions(weight_ih, weight_hh, bias_ih, bias_hh):
    """Each likely mistake of part 2 -> the Keras weights it produces."""
    def reorder(weights, order):
        blocks = _rows(weights, "rzn")
        return np.concatenate([blocks[g] for g in order], axis=0)

    def build(order="zrn", bias_order="zrn", rows=("ih", "hh")):
        biases = {"ih": reorder(bias_ih, bias_order), "hh": reorder(bias_hh, bias_order)}
        return (reorder(weight_ih, order).T, reorder(weight_hh, order).T,
                np.stack([biases[rows[0]], biases[rows[1]]]))

    return {
        "keep PyTorch's block order r, z, n (Keras' order is z, r, h)": build("rzn", "rzn"),
        "reorder the weights but not the biases (both go from r, z, n to z, r, h)":
            build("zrn", "rzn"),
        "swap the two bias rows (Keras: row 0 = bias_ih, added to the input part; row 1 = "
        "bias_hh, the recurrent part)": build(rows=("hh", "ih")),
    }


def check_torch_gru_to_keras(torch_gru_to_keras, gru_step_torch, seed: int = 0, *,
                             hint: bool = False) -> None:
    """Check ``torch_gru_to_keras(weight_ih, weight_hh, bias_ih, bias_hh)``
    ``-> (kernel, recurrent_kernel, bias)`` for keras.layers.GRU(reset_after=True).

    Keras, given the converted weights, must compute over a whole sequence what your
    ``gru_step_torch`` (part 1) computes with the original ones. Part 1 is checked first.
    """
    require_earlier_part("part 1", check_gru_step_torch, gru_step_torch, seed=seed,
                         hint=hint)
    rng = np.random.default_rng(seed + 1)
    cases, worst = [], 0.0
    for batch, input_dim, units in CASES:
        _, h0, *weights = random_step_inputs(rng, batch, input_dim, units)
        x = random_array(rng, batch, SEQUENCE_STEPS, input_dim)
        case = f"batch={batch}, input_dim={input_dim}, units={units}"
        converted = expect_tuple(
            call_learner(torch_gru_to_keras, tuple(weights), "torch_gru_to_keras", case), 3,
            "the result of torch_gru_to_keras, (kernel, recurrent_kernel, bias),")
        names = ("kernel", "recurrent_kernel", "bias")
        converted = [as_array(w, f"the converted {n}") for w, n in zip(converted, names,
                                                                        strict=True)]
        for got, want, name in zip(converted, reference_conversion(*weights), names,
                                   strict=True):
            if got.shape != want.shape:
                transposed = " Transpose it: Keras multiplies from the right." \
                    if got.shape == want.shape[::-1] and name != "bias" else ""
                raise CheckFailed(
                    f"the converted {name} has shape {got.shape}; keras.layers.GRU({units}) "
                    f"on {input_dim} features needs {want.shape} ({case}).{transposed}")
        got = keras_gru(x, h0, *(w.astype(np.float32) for w in converted))
        h, states = h0, []
        for t in range(SEQUENCE_STEPS):
            h = as_array(call_learner(gru_step_torch, (x[:, t], h, *weights),
                                      "gru_step_torch", case), "h_t")
            states.append(h)
        suspects = {}  # run Keras with each likely mistake only when the states differ
        if not np.allclose(got, np.stack(states, axis=1), rtol=RTOL, atol=ATOL):
            suspects = {mistake: keras_gru(x, h0, *(w.astype(np.float32) for w in wrong))
                        for mistake, wrong in _wrong_conversions(*weights).items()}
        worst = max(worst, assert_matches(
            got, np.stack(states, axis=1),
            "keras.layers.GRU's states with your converted weights", case,
            suspects=suspects, hint=_HINT_CONVERT, show_hint=hint))
        cases.append(case)
    report("torch_gru_to_keras", f"your gru_step_torch over {SEQUENCE_STEPS} steps, run by "
           "keras.layers.GRU with the converted weights", cases, worst)


def random_step_inputs(rng, batch, input_dim, units):
    """(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) of a random case.

    Weights scaled so that the sigmoids and tanh work in their curved range, and a random
    h_prev, so that every mistake changes the output visibly.
    """
    return (random_array(rng, batch, input_dim), random_array(rng, batch, units),
            random_array(rng, 3 * units, input_dim, scale=0.5),
            random_array(rng, 3 * units, units, scale=0.5),
            random_array(rng, 3 * units, scale=0.5), random_array(rng, 3 * units, scale=0.5))

"""Checks for chapter 2: gradient norms by lag, and clipping by global norm.

``gradient_norms_by_lag(layer, x) -> norms``: ``layer`` is a built Keras recurrent layer
(SimpleRNN, LSTM or GRU) that returns its final state ``h_T``, shape ``(batch, units)``;
``x`` has shape ``(batch, T, d)``. ``norms`` has shape ``(T,)``: element ``k`` is the
mean over the batch of the Frobenius norm of ``dh_T / dx_{T-k}`` (lag ``k``: element 0
belongs to the last input).

``clip_by_global_norm(grads, max_norm) -> (clipped, global_norm)``: ``grads`` is a list
of arrays; ``global_norm`` is the norm of all of them together, before clipping;
``clipped`` scales every array by ``min(1, max_norm / global_norm)``, as
``tf.clip_by_global_norm`` does.
"""

from __future__ import annotations

import contextlib

import numpy as np

from rnncourse.checks._common import (
    CheckFailed,
    as_array,
    assert_matches,
    call_learner,
    expect_tuple,
    random_array,
    refuse_while_running,
    report,
)

# (layer, batch, time, input_dim, units): batches of one, where averaging and summing
# agree, and larger batches, where they do not; every layer type.
GRADIENT_CASES = [
    ("SimpleRNN", 1, 5, 3, 4),
    ("SimpleRNN", 3, 7, 2, 5),
    ("LSTM", 2, 6, 3, 4),
    ("GRU", 3, 5, 4, 3),
]


def make_layer(kind: str, input_dim: int, units: int, rng: np.random.Generator,
               time: int = 1):
    """A built Keras ``kind`` layer with random weights (scale 0.5), returning h_T."""
    import keras

    layer = getattr(keras.layers, kind)(units)
    layer.build((None, time, input_dim))
    layer.set_weights([random_array(rng, *w.shape, scale=0.5) for w in layer.get_weights()])
    return layer


def simple_rnn_jacobians(layer, x) -> np.ndarray:
    """dh_T/dx_t of a SimpleRNN from the product of step Jacobians, in float64 NumPy.

    x: (batch, T, d). Returns (batch, T, units, d), indexed by time.
    """
    kernel, recurrent_kernel, bias = (np.asarray(w, dtype=np.float64)
                                      for w in layer.get_weights())
    batch, time, _ = x.shape
    out = np.zeros((batch, time, kernel.shape[1], kernel.shape[0]))
    for b in range(batch):
        states, h = [], np.zeros(kernel.shape[1])
        for x_t in np.asarray(x[b], dtype=np.float64):
            h = np.tanh(x_t @ kernel + h @ recurrent_kernel + bias)
            states.append(h)
        product = np.eye(len(h))  # dh_T/dh_t, starting at t = T
        for t in reversed(range(time)):
            local = np.diag(1 - states[t] ** 2)
            out[b, t] = product @ local @ kernel.T
            product = product @ local @ recurrent_kernel.T
    return out


def tape_jacobians(layer, x) -> np.ndarray:
    """dh_T/dx_t for any recurrent layer, one backward pass for all rows at once.

    Each sequence is repeated ``units`` times; copy ``i`` carries the gradient of unit
    ``i``. x: (batch, T, d). Returns (batch, T, units, d), indexed by time.
    """
    import tensorflow as tf

    batch, time, dim = x.shape
    units = layer.units
    copies = tf.constant(np.repeat(np.asarray(x, dtype=np.float32), units, axis=0))
    with tf.GradientTape() as tape:
        tape.watch(copies)
        h_last = tf.reshape(layer(copies), (batch, units, units))
        picked = tf.reduce_sum(tf.linalg.diag_part(h_last))
    rows = tape.gradient(picked, copies).numpy().reshape(batch, units, time, dim)
    return np.transpose(rows, (0, 2, 1, 3)).astype(np.float64)


def check_gradient_norms(gradient_norms_by_lag, seed: int = 0, hint: bool = False) -> None:
    """Check ``gradient_norms_by_lag(layer, x) -> (T,)`` on SimpleRNN, LSTM and GRU layers.

    With ``hint=True`` a failure also shows the definition and the expected numbers.
    """
    with _retracing_warnings_silenced():
        _check_gradient_norms(gradient_norms_by_lag, seed, hint)


@contextlib.contextmanager
def _retracing_warnings_silenced():
    """Keep TensorFlow's "triggered tf.function retracing" warnings out of the check's output.

    ``tape.batch_jacobian`` and ``tape.jacobian`` trace a function per input shape, and the
    check's cases have different shapes on purpose: the warning would be noise.
    """
    import tensorflow as tf

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_gradient_norms(gradient_norms_by_lag, seed: int, hint: bool) -> None:
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for kind, batch, time, input_dim, units in GRADIENT_CASES:
        layer = make_layer(kind, input_dim, units, rng, time)
        x = random_array(rng, batch, time, input_dim)
        if kind == "SimpleRNN":
            jac, oracle = simple_rnn_jacobians(layer, x), "the NumPy product of Jacobians"
        else:
            jac, oracle = tape_jacobians(layer, x), "a Jacobian computed by the check"
        case = f"{kind}, batch={batch}, T={time}, d={input_dim}, units={units}"
        got = call_learner(gradient_norms_by_lag, (layer, x.copy()), "gradient_norms_by_lag",
                           case=case)
        per_sequence = np.sqrt((jac**2).sum(axis=(2, 3)))  # (batch, T), by time
        expected = per_sequence.mean(axis=0)[::-1]
        by_lag = jac[:, ::-1]
        worst = max(worst, assert_matches(got, expected, "the norm array", case, suspects={
            "index by time instead of by lag (element 0 must be the LAST input, lag 0; "
            "reverse the time axis)": per_sequence.mean(axis=0),
            "forget the square root (squared Frobenius norms)":
                (per_sequence**2).mean(axis=0)[::-1],
            "sum the norms over the batch instead of averaging them":
                per_sequence.sum(axis=0)[::-1],
            "take one norm over the whole batch (sqrt of the sum of squares over all "
            "sequences) instead of the mean of per-sequence norms":
                np.sqrt((per_sequence**2).sum(axis=0))[::-1],
            "use only the first sequence of the batch": per_sequence[0][::-1],
            "take the gradient of sum(h_T) (one vector) instead of the whole Jacobian "
            "(one row per unit of h_T)":
                np.linalg.norm(by_lag.sum(axis=2), axis=2).mean(axis=0),
            "use the spectral norm (largest singular value) instead of the Frobenius norm":
                np.linalg.norm(by_lag, ord=2, axis=(2, 3)).mean(axis=0),
        }, hint=f"norms[k] = mean over the batch of ||dh_T / dx_(T-k)||_F; {oracle} gives "
                f"{np.array2string(expected, precision=4)}.", show_hint=hint))
        cases.append(case)
    report("gradient_norms_by_lag",
           "Jacobian norms from the product of Jacobians (SimpleRNN) and the tape (LSTM, GRU)",
           cases, worst)


# (shapes of the gradient tensors, max_norm): global norm above max_norm, below it,
# a single tensor, a scalar among matrices, and all zeros.
CLIP_CASES = [
    ([(3, 4), (4,), (2, 2, 3)], 1.0),
    ([(5, 2), (2,)], 100.0),
    ([(6,)], 0.5),
    ([(), (3, 3), (3,)], 2.0),
    ([(2, 2), (2,)], 1.0),
]


def check_clip_by_global_norm(clip_by_global_norm, seed: int = 0,
                              hint: bool = False) -> None:
    """Check ``clip_by_global_norm(grads, max_norm) -> (clipped, global_norm)``.

    Each clipped tensor is compared on its own, so a failure names the tensor and the
    index within it. With ``hint=True`` a failure also shows the formula.
    """
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for index, (shapes, max_norm) in enumerate(CLIP_CASES):
        zeros = index == len(CLIP_CASES) - 1
        grads = [np.zeros(s, np.float32) if zeros else random_array(rng, *s) for s in shapes]
        expected_clipped, expected_norm = tf.clip_by_global_norm(
            [tf.constant(g) for g in grads], max_norm)
        expected_clipped = [np.asarray(g) for g in expected_clipped]
        expected_norm = float(expected_norm)
        case = (f"{_count(len(shapes), 'tensor')} of shapes {shapes}, max_norm={max_norm:g}, "
                f"global norm {expected_norm:.3g}" + (" (all zeros)" if zeros else ""))
        with refuse_while_running(tf, ("clip_by_global_norm",), _BY_HAND), \
                refuse_while_running(tf.linalg, ("global_norm",), _BY_HAND):
            result = call_learner(clip_by_global_norm, (grads, max_norm),
                                  "clip_by_global_norm", case=case)
        _refuse_only_clipped(result, grads, case)
        clipped, global_norm = expect_tuple(
            result, 2, "the result of clip_by_global_norm, (clipped, global_norm),")
        clipped = _as_tensor_list(clipped, len(grads), case)
        _refuse_tensors([*clipped, global_norm], case)
        norm = np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads))
        global_norm = as_array(global_norm, "global_norm")
        if global_norm.size != 1:
            raise CheckFailed(
                f"global_norm should be one number, got an array of shape {global_norm.shape} "
                f"({case}). Add up the squares of all tensors together, then take one root.")
        worst = max(worst, assert_matches(
            global_norm.reshape(()), np.float64(expected_norm), "global_norm", case, suspects={
                "return the norm after clipping instead of before": min(float(norm), max_norm),
                "return the squared norm (forgot the square root)": float(norm) ** 2,
                "return the sum of the per-tensor norms": sum(
                    float(np.linalg.norm(g)) for g in grads),
            }, hint="global_norm = sqrt(sum over tensors of the sum of squared entries), "
                    "measured before clipping.", show_hint=hint))
        for i, (got, grad, want) in enumerate(zip(clipped, grads, expected_clipped,
                                                  strict=True)):
            worst = max(worst, _check_clipped_tensor(
                got, grad, want, grads, i, max_norm, norm, case, zeros, hint))
        cases.append(case.split(", global")[0])
    report("clip_by_global_norm", "tf.clip_by_global_norm", cases, worst)


_BY_HAND = ("this exercise asks for clipping written by hand, in NumPy; "
            "tf.clip_by_global_norm is the reference the check compares with.")


def _refuse_only_clipped(result, grads, case: str) -> None:
    """Name the slip of returning the clipped arrays alone, without the norm."""
    if (isinstance(result, (list, tuple)) and len(result) == len(grads)
            and all(getattr(got, "shape", None) == g.shape
                    for got, g in zip(result, grads, strict=True))):
        raise CheckFailed(
            f"clip_by_global_norm returned only the clipped arrays ({case}): return the pair "
            "(clipped, global_norm).")


def _refuse_tensors(values, case: str) -> None:
    """By hand means NumPy: a TensorFlow tensor in the result came from TensorFlow's ops."""
    if any(hasattr(value, "numpy") and not isinstance(value, np.generic) for value in values):
        raise CheckFailed(
            f"clip_by_global_norm returned TensorFlow tensors ({case}): return NumPy arrays "
            "and a float; " + _BY_HAND)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _as_tensor_list(clipped, expected_length: int, case: str) -> list:
    """``clipped`` as a list of one array per gradient tensor, or a message saying why not."""
    if hasattr(clipped, "shape"):  # a single NumPy array or tensor, e.g. everything stacked
        raise CheckFailed(
            f"clipped should be a list with one array per gradient tensor, got one array of "
            f"shape {tuple(clipped.shape)} ({case}). Scale each tensor; do not flatten or "
            "stack them.")
    try:
        clipped = list(clipped)
    except TypeError:
        raise CheckFailed(f"clipped should be a list of arrays, got a "
                          f"{type(clipped).__name__} ({case}).") from None
    if len(clipped) != expected_length:
        raise CheckFailed(
            f"clipped has {_count(len(clipped), 'tensor')}, expected one per gradient, "
            f"{expected_length} ({case}). Scale each tensor; do not flatten or stack them.")
    for i, item in enumerate(clipped):
        if item is None:
            raise CheckFailed(f"clipped[{i}] is None ({case}): did you forget to compute it?")
    return clipped


def _check_clipped_tensor(got, grad, want, grads, i, max_norm, norm, case, zeros, hint):
    """Compare clipped tensor ``i`` with tf.clip_by_global_norm's, naming a likely slip."""
    what = f"clipped[{i}] (tensor {i}, shape {grad.shape})"
    got = as_array(got, f"clipped[{i}]")
    if got.shape != grad.shape:
        raise CheckFailed(f"{what} has shape {got.shape}, expected {grad.shape} ({case}). "
                          "Scale each tensor; do not flatten or stack them.")
    if zeros and not np.all(np.isfinite(got)):
        raise CheckFailed(
            f"{what} contains NaN or infinity ({case}): with all-zero gradients the global "
            "norm is 0; return the gradients unchanged instead of dividing by zero.")
    own = np.float64(np.linalg.norm(grad))  # NumPy floats: x / 0 is inf, not an exception
    total = np.float64(sum(float(np.linalg.norm(g)) for g in grads))
    with np.errstate(divide="ignore", invalid="ignore"):
        suspects = {
            "clip each tensor by its own norm (per tensor), not by the global norm":
                grad * min(1.0, max_norm / own) if own else grad,
            "scale the gradients when the global norm is below max_norm too (only norms "
            "above max_norm are clipped)": grad * max_norm / norm,
            "compute the global norm without the square root":
                grad * min(1.0, max_norm / norm**2),
            "compute the global norm as the sum of the tensors' norms":
                grad * min(1.0, max_norm / total),
            "clip every entry to [-max_norm, max_norm] (clipping by value)":
                np.clip(grad, -max_norm, max_norm),
        }
    suspects = {k: v for k, v in suspects.items() if np.all(np.isfinite(v))}
    return assert_matches(got, want, what, case, suspects=suspects,
                          hint="clipped[i] = grads[i] * min(1, max_norm / global_norm).",
                          show_hint=hint)

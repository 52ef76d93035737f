"""Checks for chapter 5: a stacked bidirectional encoder in NumPy, against
``keras.layers.Bidirectional`` wrapped around ``keras.layers.SimpleRNN``.

The exercise has three parts, each checked with the learner's own earlier parts:

1. ``merge_directions(forward, backward, merge_mode)``: Keras' four merge modes,
   "concat", "sum", "ave" and "mul";
2. ``bidirectional_forward(x, forward_weights, backward_weights, merge_mode,
   return_sequences)``: one bidirectional layer, with or without the whole sequence;
3. ``stacked_bidirectional(x, layers, merge_mode)``: several bidirectional layers, every
   one but the last returning its sequence.

Weights are Keras' own: ``forward_weights`` and ``backward_weights`` are each
``(kernel, recurrent_kernel, bias)`` of shapes (input_dim, units), (units, units),
(units,), in the order ``Bidirectional.get_weights()`` returns them (forward first).
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks._common import (
    CheckFailed,
    as_array,
    assert_matches,
    call_learner,
    random_array,
    report,
    require_earlier_part,
)

MERGE_MODES = ("concat", "sum", "ave", "mul")

# (batch, time, units): non-square, batch != units, and batch 1.
MERGE_CASES = [(3, 5, 4), (1, 2, 3), (2, 7, 1)]
# (batch, time, input_dim, units)
LAYER_CASES = [(3, 6, 4, 5), (1, 4, 2, 3), (2, 5, 3, 2)]
# (batch, time, input_dim, units of each layer)
STACK_CASES = [(2, 6, 4, (5, 3)), (1, 4, 3, (2, 4, 3)), (3, 5, 2, (3,))]

_MERGE_HINT = ("concat: np.concatenate([forward, backward], axis=-1), forward first; "
               "sum: forward + backward; ave: (forward + backward) / 2; "
               "mul: forward * backward.")
_LAYER_HINT = ("forward = simple_rnn_states(x, *forward_weights); backward = "
               "simple_rnn_states(x[:, ::-1], *backward_weights)[:, ::-1] (read from T to 1, "
               "then put back in time order). Without return_sequences, keep each "
               "direction's last step: forward[:, -1], and backward[:, 0] (the backward "
               "layer finishes at time step 0). Then merge_directions(forward, backward, "
               "merge_mode).")
_STACK_HINT = ("h = x; for each (forward_weights, backward_weights) but the last: "
               "h = bidirectional_forward(h, forward_weights, backward_weights, merge_mode, "
               "return_sequences=True); the last layer: return_sequences=False.")


def simple_rnn_states(x, kernel, recurrent_kernel, bias):
    """All states (batch, time, units) of a SimpleRNN from h_0 = 0, in float64."""
    h = np.zeros((x.shape[0], kernel.shape[1]))
    states = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent_kernel + bias)
        states.append(h)
    return np.stack(states, axis=1)


def numpy_merge(forward, backward, merge_mode):
    """Keras' merge of the two directions (the reference for part 1's suspects)."""
    if merge_mode == "concat":
        return np.concatenate([forward, backward], axis=-1)
    if merge_mode == "sum":
        return forward + backward
    if merge_mode == "ave":
        return (forward + backward) / 2
    if merge_mode == "mul":
        return forward * backward
    raise ValueError(f"unknown merge_mode {merge_mode!r}")


def numpy_bidirectional(x, forward_weights, backward_weights, merge_mode="concat",
                        return_sequences=True, *, reverse_input=True, flip_back=True,
                        last="start", swap=False):
    """One bidirectional SimpleRNN layer, with switches that reproduce common mistakes.

    ``reverse_input=False``: the backward layer reads the sequence left to right.
    ``flip_back=False``: its states stay in reading order (T first).
    ``last``: which position of the time-ordered backward states is "its last step"
    when ``return_sequences`` is false: "start" (right: step 0) or "end" (step T-1).
    ``swap``: the two directions' weights exchanged.
    """
    if swap:
        forward_weights, backward_weights = backward_weights, forward_weights
    x = np.asarray(x, dtype=np.float64)
    forward = simple_rnn_states(x, *forward_weights)
    backward = simple_rnn_states(x[:, ::-1] if reverse_input else x, *backward_weights)
    if flip_back and reverse_input:
        backward = backward[:, ::-1]
    if not return_sequences:
        forward = forward[:, -1]
        backward = backward[:, 0] if last == "start" else backward[:, -1]
    return numpy_merge(forward, backward, merge_mode)


def keras_bidirectional(x, forward_weights, backward_weights, merge_mode="concat",
                        return_sequences=True):
    """The oracle: keras.layers.Bidirectional(SimpleRNN) with these weights."""
    import keras

    units = forward_weights[1].shape[0]
    layer = keras.layers.Bidirectional(
        keras.layers.SimpleRNN(units, return_sequences=return_sequences),
        merge_mode=merge_mode)
    layer.build((None, None, forward_weights[0].shape[0]))
    layer.set_weights([*forward_weights, *backward_weights])
    out = layer(x)
    if merge_mode is None:
        return [np.asarray(o) for o in out]
    return np.asarray(out)


def keras_stacked(x, layers, merge_mode="concat"):
    """The oracle for part 3: a Sequential stack of Bidirectional(SimpleRNN) layers."""
    import keras

    model = keras.Sequential([keras.Input((None, x.shape[-1]))] + [
        keras.layers.Bidirectional(
            keras.layers.SimpleRNN(fw[1].shape[0], return_sequences=i < len(layers) - 1),
            merge_mode=merge_mode)
        for i, (fw, _) in enumerate(layers)])
    model.set_weights([w for fw, bw in layers for w in (*fw, *bw)])
    return np.asarray(model(x))




_ORACLE_CACHE: dict = {}


def _key(value):
    if isinstance(value, np.ndarray):
        return (value.shape, str(value.dtype), value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    return value


def _oracle(fn, *args):
    """``fn(*args)``, remembered: a check runs the same random cases every time it is
    called with the same seed, and building Keras layers is the slow part."""
    key = (fn.__name__, _key(args))
    if key not in _ORACLE_CACHE:
        if len(_ORACLE_CACHE) > 256:
            _ORACLE_CACHE.clear()
        _ORACLE_CACHE[key] = fn(*args)
    return _ORACLE_CACHE[key]


def _name(fn, default):
    name = getattr(fn, "__name__", default)
    return name if name.isidentifier() else default


def _random_direction(rng, input_dim, units):
    return (random_array(rng, input_dim, units, scale=0.6),
            random_array(rng, units, units, scale=0.6),
            random_array(rng, units, scale=0.5))


def _merge_suspects(forward, backward, merge_mode):
    suspects = {f"compute merge_mode={other!r} when {merge_mode!r} was asked for":
                numpy_merge(forward, backward, other)
                for other in MERGE_MODES if other != merge_mode}
    suspects["put the backward states first (Keras concatenates forward, then backward)"] = \
        np.concatenate([backward, forward], axis=-1)
    suspects["compute forward + backward / 2, which divides only the backward states "
             "(write (forward + backward) / 2)"] = forward + backward / 2
    return suspects


def check_merge_directions(merge_directions, seed: int = 0, hint: bool = False) -> None:
    """Check ``merge_directions(forward, backward, merge_mode)`` against the output of
    ``keras.layers.Bidirectional`` for every merge mode."""
    name = _name(merge_directions, "merge_directions")
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for batch, time, units in MERGE_CASES:
        x = random_array(rng, batch, time, 2)
        fw, bw = _random_direction(rng, 2, units), _random_direction(rng, 2, units)
        forward, backward = _oracle(keras_bidirectional, x, fw, bw, None)
        for mode in MERGE_MODES:
            case = f"merge_mode={mode!r}, forward and backward of shape {forward.shape}"
            expected = _oracle(keras_bidirectional, x, fw, bw, mode)
            got = call_learner(merge_directions, (forward.copy(), backward.copy(), mode),
                               name, case)
            got_array = as_array(got, f"{name}(..., {mode!r})")
            if mode == "concat" and got_array.shape != expected.shape:
                axis_note = ""
                for axis in range(forward.ndim - 1):
                    if got_array.shape == np.concatenate([forward, backward], axis=axis).shape:
                        axis_note = (f" You joined them along axis {axis}; Keras joins the "
                                     "features, the last axis.")
                raise CheckFailed(f"{name} returned shape {got_array.shape} for {case}, "
                                  f"expected {expected.shape}.{axis_note}"
                                  + ("" if hint else " Run the check again with hint=True "
                                     "to see what each mode computes.")
                                  + (f" Hint: {_MERGE_HINT}" if hint else ""))
            worst = max(worst, assert_matches(
                got_array, expected, f"{name}(..., {mode!r})", case,
                suspects=_merge_suspects(forward.astype(np.float64),
                                         backward.astype(np.float64), mode),
                hint=_MERGE_HINT, show_hint=hint))
        cases.append(f"batch={batch}, time={time}, units={units}, all four modes")
    report(name, "keras.layers.Bidirectional's merge modes", cases, worst)


def _layer_suspects(args, merge_mode, return_sequences):
    x, fw, bw = args
    mistakes = {}
    if not return_sequences:  # first: without the sequence, flip_back=False looks the same
        mistakes["take the backward layer's state at the last time step; without "
                 "return_sequences Keras keeps its *final* state, the one after reading "
                 "x_1, which sits at time step 0"] = {"last": "end"}
    mistakes.update({
        "run the backward layer over the sequence left to right (it reads x[:, ::-1])":
            {"reverse_input": False},
        "forget to put the backward states back in time order (reverse them again after "
        "the loop)": {"flip_back": False},
        "swap the forward and the backward weights": {"swap": True},
    })
    return {mistake: numpy_bidirectional(x, fw, bw, merge_mode, return_sequences, **kw)
            for mistake, kw in mistakes.items()}


def check_bidirectional_forward(bidirectional_forward, merge_directions=None, seed: int = 0,
                                hint: bool = False) -> None:
    """Check ``bidirectional_forward(x, forward_weights, backward_weights, merge_mode,
    return_sequences)`` against keras.layers.Bidirectional(SimpleRNN).

    Pass your ``merge_directions`` too: it is checked first, so that a mistake in part 1
    is not blamed on part 2.
    """
    if merge_directions is not None:
        require_earlier_part("part 1", check_merge_directions, merge_directions, seed=seed,
                             hint=hint)
    name = _name(bidirectional_forward, "bidirectional_forward")
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for (batch, time, input_dim, units), mode in zip(LAYER_CASES, ("concat", "sum", "ave"),
                                                     strict=True):
        x = random_array(rng, batch, time, input_dim)
        fw = _random_direction(rng, input_dim, units)
        bw = _random_direction(rng, input_dim, units)
        for return_sequences in (True, False):
            case = (f"batch={batch}, time={time}, input_dim={input_dim}, units={units}, "
                    f"merge_mode={mode!r}, return_sequences={return_sequences}")
            expected = _oracle(keras_bidirectional, x, fw, bw, mode, return_sequences)
            got = call_learner(bidirectional_forward,
                               (x.copy(), fw, bw, mode, return_sequences), name, case)
            worst = max(worst, assert_matches(
                got, expected, "the output", case,
                suspects=_layer_suspects((x, fw, bw), mode, return_sequences),
                hint=_LAYER_HINT, show_hint=hint))
        cases.append(f"batch={batch}, time={time}, input_dim={input_dim}, units={units}, "
                     f"merge_mode={mode!r}, with and without return_sequences")
    report(name, "keras.layers.Bidirectional(SimpleRNN)", cases, worst)


def _stack_suspects(x, layers, merge_mode):
    h = np.asarray(x, dtype=np.float64)
    for i, (fw, bw) in enumerate(layers):
        final = i == len(layers) - 1
        h = numpy_bidirectional(h, fw, bw, merge_mode, return_sequences=not final,
                                last="end")
    return {"keep the last time step of the final layer's whole sequence; its backward "
            "half has read only x_T (Keras keeps the backward layer's final state, the one "
            "at time step 0)": h}


def check_stacked_bidirectional(stacked_bidirectional, bidirectional_forward=None,
                                merge_directions=None, seed: int = 0,
                                hint: bool = False) -> None:
    """Check ``stacked_bidirectional(x, layers, merge_mode)`` against a keras.Sequential of
    Bidirectional(SimpleRNN) layers; ``layers`` is a list of (forward_weights,
    backward_weights). Pass your part 1 and 2 functions too, to check them first."""
    if bidirectional_forward is not None:
        require_earlier_part("part 2", check_bidirectional_forward, bidirectional_forward,
                             merge_directions, seed=seed, hint=hint)
    name = _name(stacked_bidirectional, "stacked_bidirectional")
    rng = np.random.default_rng(seed)
    cases, worst = [], 0.0
    for (batch, time, input_dim, units), mode in zip(STACK_CASES, ("concat", "sum", "mul"),
                                                     strict=True):
        x = random_array(rng, batch, time, input_dim)
        layers, features = [], input_dim
        for u in units:
            layers.append((_random_direction(rng, features, u),
                           _random_direction(rng, features, u)))
            features = 2 * u if mode == "concat" else u
        case = (f"batch={batch}, time={time}, input_dim={input_dim}, {len(units)} layer(s) "
                f"of {', '.join(map(str, units))} units, merge_mode={mode!r}")
        expected = _oracle(keras_stacked, x, layers, mode)
        got = call_learner(stacked_bidirectional, (x.copy(), layers, mode), name, case)
        got_array = as_array(got, "the output")
        if got_array.ndim == 3 and got_array.shape[0] == batch and \
                got_array.shape[1] == time:
            raise CheckFailed(
                f"the output has shape {got_array.shape} ({case}), expected "
                f"{expected.shape}: the last layer returned its whole sequence. Every layer "
                "but the last needs return_sequences=True; the last returns one vector per "
                "sequence." + (f" Hint: {_STACK_HINT}" if hint else ""))
        worst = max(worst, assert_matches(got_array, expected, "the output", case,
                                          suspects=_stack_suspects(x, layers, mode),
                                          hint=_STACK_HINT, show_hint=hint))
        cases.append(case)
    report(name, "a keras.Sequential of Bidirectional(SimpleRNN) layers", cases, worst)

"""A synthetic long-range task: remember the first symbol of a long, noisy sequence.

Each sequence starts with a *cue*: one of ``n_classes`` symbols, marked by an extra
"this is the cue" channel. Every later step shows a random *distractor* symbol from the
same alphabet. The label is the cue. Nothing after the cue says anything about the label,
so a model must carry the cue across ``length - 1`` steps of interference, and the
gradient that teaches it to do so has to travel just as far back in time.

Layout of one sequence, ``x[i]`` of shape ``(length, n_classes + 1)``::

    step 0:      one-hot(cue)        | 1     <- the only informative step
    step 1..:    one-hot(distractor) | 0

``train_long_range`` trains a one-layer recurrent classifier with a fixed budget and
returns the model and its held-out accuracy. Its training sequences carry the cue at a random step
(``cue_at="anywhere"``), so that short lags give every model something to learn from;
its held-out sequences carry the cue at the start, the longest lag. Chapter 2 uses it to
show a ``SimpleRNN`` falling to chance where ``LSTM`` and ``GRU`` do not, and chapter 4
extends the comparison.
"""

from __future__ import annotations

import time

import numpy as np

LAYERS = ("SimpleRNN", "LSTM", "GRU")


def long_range_data(n: int, length: int, *, n_classes: int = 4, seed: int = 0,
                    cue_at: str = "start",
                    distractors: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x, y)``: ``n`` sequences whose label is their cue symbol.

    x: float32, shape ``(n, length, n_classes + 1)``; y: int32, shape ``(n,)``, values in
    ``[0, n_classes)``, as balanced as ``n`` allows (each class ``n // n_classes`` or one
    more times), in random order. ``cue_at="start"`` puts the cue at step 0, the longest
    lag; ``"anywhere"`` at a uniformly random step. ``distractors=False`` leaves every
    step but the cue all zeros. The same arguments always give the same arrays.
    """
    _check_int("n", n, 1)
    _check_int("length", length, 1)
    _check_int("n_classes", n_classes, 2)
    _check_int("seed", seed, 0)
    if not isinstance(distractors, (bool, np.bool_)):
        raise ValueError(f"distractors must be True or False, got {distractors!r}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % n_classes).astype(np.int32)
    symbols = rng.integers(0, n_classes, size=(n, length))
    if cue_at == "start":
        position = np.zeros(n, dtype=int)
    elif cue_at == "anywhere":
        position = rng.integers(0, length, size=n)
    else:
        raise ValueError(f"cue_at must be 'start' or 'anywhere', got {cue_at!r}")
    rows = np.arange(n)
    symbols[rows, position] = y
    x = np.zeros((n, length, n_classes + 1), dtype=np.float32)
    np.put_along_axis(x, symbols[:, :, None], 1.0, axis=2)
    if not distractors:
        x[:] = 0.0
        x[rows, position, y] = 1.0
    x[rows, position, n_classes] = 1.0
    return x, y


def build_long_range_model(layer: str, length: int, n_features: int, n_classes: int, *,
                           units: int):
    """A one-layer recurrent classifier: ``layer`` (last state) -> softmax over classes."""
    import keras

    _check_layer(layer)
    recurrent = getattr(keras.layers, layer)(units, name=layer.lower())
    return keras.Sequential([
        keras.Input((length, n_features)),
        recurrent,
        keras.layers.Dense(n_classes, activation="softmax", name="classifier"),
    ])


def train_long_range(layer: str, length: int, *, units: int, epochs: int, n_train: int,
                     n_test: int, seed: int, n_classes: int = 4, batch_size: int = 64,
                     learning_rate: float = 1e-2):
    """Train a ``layer`` classifier on the long-range task; return ``(model, result)``.

    The training sequences carry their cue *anywhere* (so every model sees some short
    lags to learn from); the held-out sequences carry it at the *start*, the longest lag,
    ``length - 1`` steps before the prediction. Training uses Adam with the gradient
    clipped to global norm 1, so that one exploding gradient cannot wreck a run.

    ``result`` is ``{"accuracy": held-out accuracy (cue at the start), "chance":
    1 / n_classes, "seconds": training wall time, "params": trainable parameter count}``.
    Calls ``keras.utils.set_random_seed(seed)``: the same arguments give the same result
    (``seconds`` aside).
    """
    import keras

    _check_layer(layer)
    _check_int("length", length, 1)
    _check_int("units", units, 1)
    _check_int("epochs", epochs, 1)
    _check_int("n_classes", n_classes, 2)
    _check_int("n_train", n_train, n_classes)
    _check_int("n_test", n_test, n_classes)
    _check_int("seed", seed, 0)
    _check_int("batch_size", batch_size, 1)
    if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    x_train, y_train = long_range_data(n_train, length, n_classes=n_classes, seed=seed,
                                       cue_at="anywhere")
    x_test, y_test = long_range_data(n_test, length, n_classes=n_classes, seed=seed + 1,
                                     cue_at="start")
    keras.utils.set_random_seed(seed)
    model = build_long_range_model(layer, length, n_classes + 1, n_classes, units=units)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=1.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True,
              verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    return model, {
        "accuracy": float(accuracy), "chance": 1.0 / n_classes, "seconds": float(seconds),
        "params": int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))}


def _check_layer(layer) -> None:
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}")


def _check_int(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")

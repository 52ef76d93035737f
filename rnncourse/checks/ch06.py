"""Checks for chapter 6's exercise: an IMDB classifier with a GRU or a bidirectional LSTM,
trained with early stopping on a validation split, evaluated honestly.

Three checks, in the order the exercise meets them:

``check_imdb_model(build_model)``, right after ``build_model`` is written, before any
training: it builds a few small models with the learner's function and verifies the
structure (one integer-id input, an ``Embedding`` that follows the ``vocab_size``,
``embedding_dim`` and ``mask_zero`` arguments, a ``GRU`` or a ``Bidirectional(LSTM)``
with ``units`` units, one sigmoid output ``(batch, 1)``, compiled with binary
cross-entropy and accuracy), and that with ``mask_zero=True`` extra padding after the
words does not change the output.

``check_training(train)``: runs the learner's ``train(model, fit_data, validation_data)``
on a tiny synthetic task with a model that records how ``fit`` was called, and verifies
early stopping: ``validation_data`` given to ``fit``, an ``EarlyStopping`` callback that
watches a validation metric and restores the best epoch's weights, and the ``History``
returned.

``check_imdb_classifier(model, history, train, validation, test)``, after training:

1. the same structure;
2. the accuracy on ``validation`` clears a floor (an untrained model scores about 0.5);
3. no test-set leakage:
   - no test review is in ``train`` or ``validation`` (compared example by example);
   - ``model.fit`` ran as many batches per epoch as ``train`` makes, and when it ran as
     many as train plus validation or test data, the message says those were trained on;
   - the history's validation loss is reproduced on ``validation`` (accuracy only when no
     loss was logged): a loss that matches the test set and not the validation set means
     the test set was ``validation_data``, so early stopping chose the epoch by test score;
   - the model is the best epoch's (early stopping restored its weights);
   - the model is not much better on the test set than on the validation set.

Every check raises :class:`~rnncourse.checks._common.CheckFailed`, and accepts
``hint=True`` for the layer-by-layer recipe when the first message is not enough.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import warnings

import keras
import numpy as np
import tensorflow as tf

from rnncourse.checks._common import CheckFailed, call_learner

_BATCH = 256
# Keras clips probabilities to [EPSILON, 1 - EPSILON] in binary cross-entropy.
_EPSILON = 1e-7
# Keras' default batch_size in model.fit, for data given as arrays.
_KERAS_BATCH = 32
# Small models check_imdb_model builds: (vocab_size, embedding_dim, units, mask_zero).
_MODEL_CASES = [(50, 6, 5, True), (37, 4, 3, False)]
_ASKED = "a GRU or a Bidirectional(LSTM)"

_MODEL_RECIPE = (
    "ids = keras.Input(shape=(None,), dtype='int32'); x = keras.layers.Embedding("
    "vocab_size, embedding_dim, mask_zero=mask_zero)(ids); x = keras.layers.GRU(units)(x) "
    "(or keras.layers.Bidirectional(keras.layers.LSTM(units))(x)); probability = "
    "keras.layers.Dense(1, activation='sigmoid')(x); model = keras.Model(ids, probability); "
    "model.compile(optimizer=keras.optimizers.Adam(2e-3), loss='binary_crossentropy', "
    "metrics=['accuracy']); return model.")
_TRAINING_RECIPE = (
    "return model.fit(fit_data, validation_data=validation_data, epochs=EPOCHS, "
    "callbacks=[sentiment.early_stopping()], verbose=0), where sentiment.early_stopping() "
    "is keras.callbacks.EarlyStopping(monitor='val_accuracy', mode='max', patience=1, "
    "restore_best_weights=True).")
_ACCURACY_RECIPE = (
    "Pad after the words (make_dataset(..., padding='post')) and mask the padding "
    "(Embedding(..., mask_zero=True)): on a GPU, cuDNN's fast kernels take a mask only "
    "when the padding comes after the words. Use a GRU(64) after an Embedding of 64, "
    "Adam with learning rate 2e-3, and train for the EPOCHS and SUBSAMPLE the parameters "
    "cell states as the smallest that cleared the floor in every measured run.")


def _with_hint(message: str, recipe: str, hint: bool) -> str:
    if hint:
        return f"{message} Hint: {recipe}"
    return f"{message} (Run the check again with hint=True for a recipe.)"


# ---------------------------------------------------------------------------------------
# 1. The model, right after build_model


def check_imdb_model(build_model, *, hint: bool = False) -> str:
    """Check ``build_model(vocab_size, embedding_dim, units, mask_zero)`` before training.

    Builds a model for each of a few small argument sets and checks its structure (see
    the module docstring); returns the recurrent layer's description, e.g. ``"GRU"``.
    """
    described = None
    for vocab_size, embedding_dim, units, mask_zero in _MODEL_CASES:
        case = (f"build_model(vocab_size={vocab_size}, embedding_dim={embedding_dim}, "
                f"units={units}, mask_zero={mask_zero})")
        model = call_learner(build_model, (vocab_size, embedding_dim, units, mask_zero),
                             "build_model", case)
        recurrent = _check_structure(model, hint, case=case)
        _check_compiled(model, hint, case)
        _check_embedding(model, vocab_size, embedding_dim, mask_zero, hint, case)
        _check_units(recurrent, units, hint, case)
        _check_forward(model, vocab_size, mask_zero, case)
        described = _describe(recurrent)
    print(f"✓ build_model makes Embedding → {described} → Dense(1, sigmoid), compiled with "
          f"binary cross-entropy and accuracy; it follows vocab_size, embedding_dim, units "
          f"and mask_zero ({len(_MODEL_CASES)} small cases), and with mask_zero=True extra "
          "padding after the words leaves the output unchanged. Now train it.")
    return described


def _check_structure(model, hint: bool, case: str = ""):
    """Return the recurrent layer the exercise asks for, or raise CheckFailed."""
    where = f" ({case})" if case else ""
    if model is None:
        raise CheckFailed("The model is None: did build_model forget `return model`?")
    if not isinstance(model, keras.Model):
        raise CheckFailed(f"Expected a keras.Model{where}, got {type(model).__name__}.")
    if len(model.inputs) != 1:
        raise CheckFailed(f"The model should take one input (the reviews), it takes "
                          f"{len(model.inputs)}{where}.")
    dtype = str(model.inputs[0].dtype)
    if not ("int" in dtype or "string" in dtype):
        raise CheckFailed(_with_hint(
            f"The model's input has dtype {dtype}{where}; it should take integer token ids "
            "(keras.Input(shape=(None,), dtype='int32')) or raw strings (dtype='string').",
            _MODEL_RECIPE, hint))
    shape = tuple(model.outputs[0].shape) if len(model.outputs) == 1 else None
    if shape is None or len(shape) != 2 or shape[-1] != 1:
        raise CheckFailed(_with_hint(
            f"The model's output has shape {shape if shape else len(model.outputs)}{where}; "
            "it should be one probability per review, (batch, 1): end with "
            "keras.layers.Dense(1, activation='sigmoid').", _MODEL_RECIPE, hint))
    layers = list(_all_layers(model))
    last = _output_layer(model)
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    if activation != "sigmoid":
        raise CheckFailed(
            f"The last layer, {last.name!r} ({type(last).__name__}), has activation "
            f"{activation!r}{where}; the output must be a probability: use "
            "activation='sigmoid' (binary cross-entropy expects probabilities).")
    recurrent = [layer for layer in layers
                 if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
                 and not _inside_bidirectional(layer, layers)]
    if not recurrent:
        raise CheckFailed(_with_hint(
            "The model has no recurrent layer (found "
            + ", ".join(type(layer).__name__ for layer in layers)
            + f"){where}; the exercise asks for {_ASKED} between the embedding and the "
            "output.", _MODEL_RECIPE, hint))
    asked = [layer for layer in recurrent if _is_asked_for(layer)]
    if not asked:
        found = ", ".join(_describe(layer) for layer in recurrent)
        raise CheckFailed(_with_hint(
            f"The model's recurrent layer is {found}{where}, but the exercise asks for "
            f"{_ASKED}: chapter 6 has already trained the one-way LSTM and the SimpleRNN.",
            _MODEL_RECIPE, hint))
    return asked[0]


def _is_asked_for(layer) -> bool:
    if isinstance(layer, keras.layers.Bidirectional):
        return isinstance(layer.forward_layer, (keras.layers.LSTM, keras.layers.GRU))
    return isinstance(layer, keras.layers.GRU)


def _inside_bidirectional(layer, layers) -> bool:
    return any(isinstance(other, keras.layers.Bidirectional)
               and layer in (other.forward_layer, other.backward_layer) for other in layers)


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _output_layer(model):
    last = model.layers[-1]
    return _output_layer(last) if isinstance(last, keras.Model) else last


def _describe(layer) -> str:
    if isinstance(layer, keras.layers.Bidirectional):
        return f"Bidirectional({type(layer.forward_layer).__name__})"
    return type(layer).__name__


def _input_kind(model) -> str:
    return "raw strings" if "string" in str(model.inputs[0].dtype) else "integer token ids"


def _check_compiled(model, hint: bool, case: str) -> None:
    if not getattr(model, "compiled", False):
        raise CheckFailed(_with_hint(
            f"The model is not compiled ({case}): build_model should end with "
            "model.compile(...) and return the model.", _MODEL_RECIPE, hint))
    if not _is_binary_crossentropy(model):
        raise CheckFailed(_with_hint(
            f"The model is compiled with loss {model.loss!r} ({case}); a yes/no label with a "
            "sigmoid output takes loss='binary_crossentropy'.", _MODEL_RECIPE, hint))
    metrics = [str(m).lower() for m in
               np.ravel(np.asarray(model.get_compile_config().get("metrics") or [],
                                   dtype=object))]
    if not any("acc" in m for m in metrics):
        raise CheckFailed(
            f"The model is compiled without metrics=['accuracy'] ({case}): early stopping "
            "watches the validation accuracy, and the history should log it.")


def _is_binary_crossentropy(model) -> bool:
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        return loss in ("binary_crossentropy", "bce")
    if isinstance(loss, keras.losses.BinaryCrossentropy):
        config = loss.get_config()
        return not config.get("from_logits") and not config.get("label_smoothing")
    return loss is keras.losses.binary_crossentropy


def _embeddings(model) -> list:
    return [layer for layer in _all_layers(model)
            if isinstance(layer, keras.layers.Embedding)]


def _check_embedding(model, vocab_size, embedding_dim, mask_zero, hint, case) -> None:
    embeddings = _embeddings(model)
    if len(embeddings) != 1:
        raise CheckFailed(_with_hint(
            f"The model has {len(embeddings)} Embedding layers ({case}); it needs one, "
            "right after the input, to turn token ids into vectors.", _MODEL_RECIPE, hint))
    embedding = embeddings[0]
    if (embedding.input_dim, embedding.output_dim) != (vocab_size, embedding_dim):
        raise CheckFailed(
            f"The Embedding has input_dim={embedding.input_dim}, output_dim="
            f"{embedding.output_dim} ({case}); it should use the arguments: "
            "Embedding(vocab_size, embedding_dim, ...).")
    if bool(embedding.mask_zero) != bool(mask_zero):
        raise CheckFailed(
            f"The Embedding has mask_zero={embedding.mask_zero} ({case}): build_model "
            "ignores its mask_zero argument; pass it on, Embedding(..., mask_zero=mask_zero).")


def _check_units(recurrent, units, hint, case) -> None:
    inner = recurrent.forward_layer if isinstance(recurrent, keras.layers.Bidirectional) \
        else recurrent
    got = getattr(inner, "units", None)
    if got is None:
        got = getattr(getattr(inner, "cell", None), "units", None)
    if got != units:
        raise CheckFailed(
            f"The {_describe(recurrent)} layer has {got} units ({case}); it should use the "
            f"units argument: {type(inner).__name__}(units).")


def _check_forward(model, vocab_size, mask_zero, case) -> None:
    rng = np.random.default_rng(0)
    words = rng.integers(2, vocab_size, size=(3, 5)).astype(np.int32)
    padded = np.concatenate([words, np.zeros((3, 4), np.int32)], axis=1)
    try:
        short = np.asarray(model(words, training=False), dtype=np.float64)
        long = np.asarray(model(padded, training=False), dtype=np.float64)
    except Exception as error:  # noqa: BLE001 - report any failure of the learner's model
        raise CheckFailed(
            f"The model failed on a batch of ids of shape (3, 5) ({case}): "
            f"{type(error).__name__}: {str(error)[:300]}") from None
    if short.shape != (3, 1) or not np.all((short >= 0) & (short <= 1)):
        raise CheckFailed(f"On ids of shape (3, 5) the model returned shape {short.shape} "
                          f"({case}); expected probabilities of shape (3, 1).")
    if mask_zero and not np.allclose(short, long, atol=1e-5):
        raise CheckFailed(
            f"With mask_zero=True, four padding zeros after the words change the output by "
            f"up to {np.max(np.abs(short - long)):.2g} ({case}): something between the "
            "Embedding and the recurrent layer drops the mask. Keep the mask flowing: "
            "Embedding → (Dropout) → the recurrent layer.")


# ---------------------------------------------------------------------------------------
# 2. Training with early stopping


class _RecordingModel(keras.Model):
    """A real model that remembers how ``fit`` was called and what it returned."""

    def fit(self, *args, **kwargs):
        self.fit_calls = [*getattr(self, "fit_calls", []), (args, kwargs)]
        result = super().fit(*args, **kwargs)
        self.fit_results = [*getattr(self, "fit_results", []), result]
        return result


def _tiny_task(seed: int, n: int = 96):
    """(ids (n, 8), labels (n,)): the label says whether word 2 or word 3 was planted."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(4, 20, size=(n, 8)).astype(np.int32)
    labels = rng.integers(0, 2, size=n)
    ids[np.arange(n), rng.integers(0, 8, size=n)] = np.where(labels == 1, 2, 3)
    return tf.data.Dataset.from_tensor_slices((ids, labels.astype(np.float32))).batch(32)


def check_training(train, *, hint: bool = False):
    """Check ``train(model, fit_data, validation_data)`` on a tiny task; return its History.

    ``train`` must call ``model.fit`` once on ``fit_data``, with
    ``validation_data=validation_data`` and an ``EarlyStopping`` callback that watches a
    validation metric with ``restore_best_weights=True``, and return fit's ``History``.
    """
    fit_data, validation_data = _tiny_task(0), _tiny_task(1)
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(20, 4, mask_zero=True)(ids)
    x = keras.layers.GRU(4)(x)
    model = _RecordingModel(ids, keras.layers.Dense(1, activation="sigmoid")(x),
                            name="tiny_classifier")
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    case = "a tiny task: 96 training and 96 validation sequences in batches of 32"
    with warnings.catch_warnings():
        # Keras' notice that fit's shuffle flag does not apply to a tf.data dataset is not
        # the learner's concern here.
        warnings.filterwarnings("ignore", message="`shuffle=True` was passed")
        history = call_learner(train, (model, fit_data, validation_data), "train", case)

    calls = getattr(model, "fit_calls", [])
    if len(calls) != 1:
        raise CheckFailed(_with_hint(
            f"train called model.fit {len(calls)} times; it should call it once."
            if calls else "train never called model.fit on the model it was given.",
            _TRAINING_RECIPE, hint))
    bound = inspect.signature(keras.Model.fit).bind(model, *calls[0][0], **calls[0][1])
    given = bound.arguments
    if given.get("x") is validation_data:
        raise CheckFailed("train fitted the model on validation_data: fit on fit_data, and "
                          "give validation_data to fit only as its validation_data argument.")
    if given.get("x") is not fit_data:
        raise CheckFailed("train fitted the model on something other than its fit_data "
                          "argument: call model.fit(fit_data, ...).")
    validation = given.get("validation_data")
    if validation is None:
        raise CheckFailed(_with_hint(
            "train gives model.fit no validation_data, so nothing tells early stopping when "
            "the model stops improving on unseen reviews: pass "
            "validation_data=validation_data.", _TRAINING_RECIPE, hint))
    if validation is not validation_data:
        raise CheckFailed("train validates on something other than its validation_data "
                          "argument: pass validation_data=validation_data to model.fit.")
    stoppers = [c for c in given.get("callbacks") or []
                if isinstance(c, keras.callbacks.EarlyStopping)]
    if not stoppers:
        raise CheckFailed(_with_hint(
            "train passes no EarlyStopping callback to model.fit, so it always trains for "
            "every epoch and keeps the last one: add callbacks=[sentiment.early_stopping()].",
            _TRAINING_RECIPE, hint))
    stopper = stoppers[0]
    if not str(stopper.monitor).startswith("val_"):
        raise CheckFailed(
            f"The EarlyStopping callback watches {stopper.monitor!r}, a score on the "
            "training data, which keeps improving as the model memorizes it: watch the "
            f"validation score, monitor='val_{stopper.monitor}'.")
    if not stopper.restore_best_weights:
        raise CheckFailed(
            "The EarlyStopping callback has restore_best_weights=False: training stops, but "
            "the model keeps the last epoch's weights, not the best epoch's. Set "
            "restore_best_weights=True.")
    results = getattr(model, "fit_results", [])
    if not results or history is not results[-1]:
        raise CheckFailed(f"train returned a {type(history).__name__}; it should return the "
                          "History that model.fit returns (return model.fit(...)).")
    epochs = given.get("epochs", 1)
    print(f"✓ train fits on fit_data for at most {epochs} epoch(s), validates on "
          f"validation_data, stops early on {stopper.monitor!r} (patience "
          f"{stopper.patience}) and restores the best epoch's weights, and returns the "
          "History.")
    return history


# ---------------------------------------------------------------------------------------
# 3. The trained classifier


def check_imdb_classifier(model, history, train, validation, test, *,
                          min_accuracy: float = 0.75, batch_size: int | None = None,
                          hint: bool = False) -> dict:
    """Check a trained sentiment classifier; return its validation and test accuracy.

    ``model``: a ``keras.Model`` from ids ``(batch, time)`` or strings ``(batch,)`` to
    probabilities ``(batch, 1)``. ``history``: the ``History`` that ``model.fit``
    returned, fitted with ``validation_data=validation``. ``train``, ``validation``,
    ``test``: the data, in the form the model takes, each a batched ``tf.data.Dataset``
    of ``(inputs, labels)``, a pair ``(inputs, labels)`` of arrays, or a
    ``rnncourse.data.Reviews`` (raw strings). ``min_accuracy``: the validation accuracy
    the model must reach. ``batch_size``: the ``batch_size`` given to ``model.fit`` when
    ``train`` is arrays or ``Reviews`` (Keras' default, 32, if not given); the check
    compares the batches per epoch with it.
    """
    if not 0 <= min_accuracy < 1:
        raise ValueError(f"min_accuracy must be in [0, 1), got {min_accuracy}")
    recurrent = _describe(_check_structure(model, hint))
    fit_log = _history_dict(history)

    validation_run = _predict(model, validation, "validation")
    val_accuracy = _accuracy(validation_run.probabilities, validation_run.labels)
    if val_accuracy < min_accuracy:
        raise CheckFailed(_floor_message(model, fit_log, validation_run, val_accuracy,
                                         min_accuracy, hint))

    test_run = _predict(model, test, "test")
    test_accuracy = _accuracy(test_run.probabilities, test_run.labels)
    train_run = _scan(train, "train")
    _check_disjoint(test_run.prints, validation_run.prints, "validation")
    _check_disjoint(test_run.prints, train_run.prints, "training")
    _check_fit_steps(fit_log, train, train_run, validation_run, test_run, batch_size)
    watched = _check_validation_metrics(fit_log, model, validation_run, test_run)
    _check_best_epoch(fit_log, watched)
    margin = _gap_margin(val_accuracy, len(validation_run.labels), len(test_run.labels))
    if test_accuracy - val_accuracy > margin:
        raise CheckFailed(
            f"The model is much better on the test set ({test_accuracy:.3f}) than on the "
            f"validation set ({val_accuracy:.3f}); a gap over {margin:.3f} does not happen "
            "by chance. Was it trained on test reviews? Fit on the training split only.")

    print(f"✓ The model reads {_input_kind(model)} through a {recurrent} layer into one "
          f"sigmoid output; validation accuracy {val_accuracy:.3f} ≥ {min_accuracy:.2f} "
          f"on {len(validation_run.labels):,} reviews; the {len(test_run.labels):,} test "
          "reviews appear in neither training nor validation data, model.fit ran the "
          f"batches of the training data only, the history's validation {watched.name[4:]} "
          "is reproduced on the validation set and the model is the best epoch's (so early "
          f"stopping watched the validation set), and test accuracy {test_accuracy:.3f} is "
          "in line with validation.")
    return {"validation_accuracy": val_accuracy, "test_accuracy": test_accuracy,
            "recurrent_layer": recurrent}


def _floor_message(model, fit_log, run, val_accuracy, min_accuracy, hint) -> str:
    message = (f"The accuracy on the validation set is {val_accuracy:.3f}, below the floor "
               f"{min_accuracy:.2f}")
    if val_accuracy < 0.6:
        message += " — no better than guessing, as an untrained model does"
    message += "."
    embeddings = _embeddings(model)
    masked = any(layer.mask_zero for layer in embeddings)
    if run.padding == "post" and embeddings and not masked:
        message += (
            " Your batches are padded after the words (post-padding) and the Embedding has "
            "mask_zero=False: the recurrent layer reads the padding after the review, and "
            "its last state has forgotten most of the words. Use mask_zero=True (chapter 6, "
            "section 4).")
        return message
    epochs = len(next(iter(fit_log["metrics"].values())))
    message += (
        f" The model trained for {epochs} epoch(s). Train longer (EPOCHS) or on more "
        "reviews (SUBSAMPLE): the parameters cell states the smallest values that cleared "
        "the floor in every measured run. A learning rate far from Adam's usual 1e-3 to "
        "3e-3 can also stall training.")
    return _with_hint(message, _ACCURACY_RECIPE, hint)


# ---------------------------------------------------------------------------------------
# Data


class _Run:
    """What a pass over one dataset saw: probabilities, labels, fingerprints, batches."""

    def __init__(self):
        self.probabilities, self.labels, self.prints = None, None, set()
        self.batches, self.examples, self.largest_batch = 0, 0, 0
        self.padding = None


def _batches(data, what: str, batch_size: int = _BATCH):
    """Yield ``(inputs, labels)`` batches from any of the accepted data forms."""
    if hasattr(data, "texts") and hasattr(data, "labels"):
        texts, labels = list(data.texts), np.asarray(data.labels)
        for start in range(0, len(texts), batch_size):
            yield tf.constant(texts[start:start + batch_size]), labels[start:start + batch_size]
    elif isinstance(data, tf.data.Dataset):
        for element in data:
            if not (isinstance(element, tuple) and len(element) >= 2):
                raise CheckFailed(
                    f"The {what} dataset should yield (inputs, labels) pairs, got "
                    f"{type(element).__name__}.")
            inputs, labels = element[0], element[1]
            if len(inputs.shape) == 1 and inputs.dtype != tf.string:
                raise CheckFailed(
                    f"The {what} dataset yields single reviews, not batches: add .batch().")
            yield inputs, np.asarray(labels)
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        inputs, labels = data
        labels = np.asarray(labels)
        for start in range(0, len(labels), batch_size):
            chunk = inputs[start:start + batch_size]
            if isinstance(chunk, list) or getattr(chunk, "dtype", None) is np.dtype(object):
                chunk = tf.constant(list(chunk))
            yield chunk, labels[start:start + batch_size]
    else:
        raise CheckFailed(
            f"The {what} data should be a batched tf.data.Dataset of (inputs, labels), a "
            f"pair (inputs, labels), or Reviews; got {type(data).__name__}.")


def _fingerprint(example) -> bytes:
    if isinstance(example, (bytes, str)):
        text = example.encode() if isinstance(example, str) else example
        return hashlib.blake2b(text, digest_size=12).digest()
    ids = np.asarray(example).astype(np.int64)
    return hashlib.blake2b(ids[ids != 0].tobytes(), digest_size=12).digest()


def _as_numpy(inputs) -> np.ndarray:
    return inputs.numpy() if hasattr(inputs, "numpy") else np.asarray(inputs)


def _padding_side(array: np.ndarray) -> str | None:
    """"post" or "pre" if the padded rows of an id batch have their zeros there."""
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
        return None
    padded = array[(array == 0).any(axis=1) & (array != 0).any(axis=1)]
    if len(padded) == 0:
        return None
    if np.all(padded[:, -1] == 0):
        return "post"
    if np.all(padded[:, 0] == 0):
        return "pre"
    return None


def _scan(data, what: str, model=None) -> _Run:
    """One pass over ``data``: fingerprints and batch counts, and predictions if ``model``."""
    run = _Run()
    probabilities, labels = [], []
    for inputs, batch_labels in _batches(data, what):
        array = _as_numpy(inputs)
        run.prints.update(_fingerprint(row) for row in array)
        run.batches += 1
        run.examples += len(array)
        run.largest_batch = max(run.largest_batch, len(array))
        run.padding = run.padding or _padding_side(array)
        labels.append(np.asarray(batch_labels, dtype=np.float64).reshape(-1))
        if model is not None:
            try:
                output = model.predict_on_batch(inputs)
            except Exception as error:  # noqa: BLE001 - explain any failure to the learner
                raise CheckFailed(
                    f"The model failed on a batch of the {what} data ({type(error).__name__}:"
                    f" {str(error)[:300]}). Pass the data in the form the model takes."
                ) from None
            probabilities.append(np.asarray(output, dtype=np.float64).reshape(-1))
    if not labels:
        raise CheckFailed(f"The {what} data is empty.")
    run.labels = np.concatenate(labels)
    if model is not None:
        run.probabilities = np.concatenate(probabilities)
        if run.probabilities.shape != run.labels.shape:
            raise CheckFailed(f"The model gave {len(run.probabilities)} outputs for the "
                              f"{len(run.labels)} {what} reviews: one probability each.")
    return run


def _predict(model, data, what: str) -> _Run:
    run = _scan(data, what, model)
    if not np.all((run.probabilities >= 0) & (run.probabilities <= 1)):
        raise CheckFailed("The model's outputs are not probabilities in [0, 1]; end "
                          "with activation='sigmoid'.")
    return run


def _accuracy(probabilities, labels) -> float:
    return float(np.mean((probabilities > 0.5) == (labels > 0.5)))


def _log_loss(probabilities, labels) -> float:
    p = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


# ---------------------------------------------------------------------------------------
# Leakage


def _history_dict(history) -> dict:
    if history is None:
        raise CheckFailed("The history is None: did train forget to return what model.fit "
                          "returns (return model.fit(...))?")
    log = getattr(history, "history", history)
    if not isinstance(log, dict) or not log:
        raise CheckFailed(
            "Pass the History that model.fit returned (history = model.fit(...)), got "
            f"{type(history).__name__}: the check needs it to see what early stopping "
            "watched.")
    params = getattr(history, "params", None) or {}
    return {"metrics": log, "steps": params.get("steps")}


def _check_disjoint(test_prints: set, other: set, what: str) -> None:
    shared = len(test_prints & other)
    # IMDB itself repeats some reviews across its splits (123 of the 25,000 test reviews
    # are also training reviews); far more than that is a leak.
    allowed = max(5, math.ceil(0.01 * len(test_prints)))
    if shared > allowed:
        raise CheckFailed(
            f"{shared:,} of the {len(test_prints):,} test reviews are also in your {what} "
            "data. The test set must stay unseen until the final evaluation: carve the "
            "validation set out of the training set, and fit on the rest of it.")


def _check_fit_steps(fit_log: dict, train, train_run: _Run, validation_run: _Run,
                     test_run: _Run, batch_size: int | None) -> None:
    """Tie ``train`` to what model.fit ran: its number of batches per epoch."""
    steps = fit_log["steps"]
    if not steps:
        return
    if isinstance(train, tf.data.Dataset):
        size = train_run.largest_batch
        expected = train_run.batches
        # Other datasets in the same batches: appended as datasets, or as reviews.
        joined = {"validation": [validation_run.batches], "test": [test_run.batches]}
    else:
        size = batch_size or _KERAS_BATCH
        expected = math.ceil(train_run.examples / size)
        joined = {"validation": [], "test": []}
    if steps == expected:
        return
    n = train_run.examples
    sizes = {"validation": validation_run.examples, "test": test_run.examples}
    matches = []
    for names in (("validation", "test"), ("validation",), ("test",)):
        counts = {math.ceil((n + sum(sizes[x] for x in names)) / size)}
        if all(joined[x] for x in names):
            counts.add(expected + sum(joined[x][0] for x in names))
        if steps in counts:
            matches.append(names)
    if matches:
        if len(matches) > 1:  # the same count either way: validation and test are alike
            what, consequence = "validation or the test", (
                "they make the same number of batches, so the check cannot tell which")
        else:
            what = " and ".join(matches[0])
            consequence = (
                "the test set must stay unseen until the final evaluation"
                if "test" in matches[0] else
                "early stopping then watches reviews the model has learned, so it cannot "
                "tell when the model stops improving on unseen ones")
        raise CheckFailed(
            f"The model was trained on the {what} data too: model.fit ran {steps} batches "
            f"per epoch, as many as your training and {what.replace('or the', 'or')} data "
            "make together (training "
            f"data alone: {expected}). Fit on the training split only; {consequence}.")
    if isinstance(train, tf.data.Dataset):
        raise CheckFailed(
            f"model.fit ran {steps} batches per epoch, but the training dataset you passed "
            f"to the check has {expected}: pass the training data the model was fitted on.")
    raise CheckFailed(
        f"model.fit ran {steps} batches per epoch, but your {n:,} training reviews make "
        f"{expected} batches of {size}. If you gave model.fit another batch_size, pass it "
        "to the check too (batch_size=...); otherwise pass the training data the model was "
        "fitted on.")


class _Watched:
    """The validation metric the check could reproduce, and at which epochs it matched."""

    def __init__(self, name: str, value: float, epochs: list[int]):
        self.name, self.value, self.epochs = name, value, epochs


def _regularization(model) -> float:
    return float(sum(float(np.sum(loss)) for loss in model.losses))


def _check_validation_metrics(fit_log, model, validation: _Run, test: _Run) -> _Watched:
    """Find the epochs whose logged validation metric is the model's on ``validation``.

    The loss decides when it was logged: it is continuous, so matching it is a precise
    test, and a loss that matches the test set and not the validation set means the test
    set was given to fit. Accuracy, a coarse count, is the fallback when there is no loss
    (or a loss the check cannot recompute).
    """
    metrics = fit_log["metrics"]
    if "val_loss" not in metrics and "val_accuracy" not in metrics:
        raise CheckFailed(
            "The history has no validation metrics (keys: " + ", ".join(metrics) + "). "
            "Pass validation_data=<your validation split> to model.fit, and let early "
            "stopping watch it.")
    if "val_loss" in metrics and _is_binary_crossentropy(model):
        name, penalty = "val_loss", _regularization(model)

        def measure(run):
            return _log_loss(run.probabilities, run.labels) + penalty

        def tolerance(value):
            return 1e-3 * max(1.0, abs(value))
    elif "val_accuracy" in metrics:
        name = "val_accuracy"

        def measure(run):
            return _accuracy(run.probabilities, run.labels)

        def tolerance(value):
            return max(0.003, 3 / len(validation.labels))
    else:
        raise CheckFailed(
            f"The history logs val_loss but the model's loss ({model.loss!r}) is not binary "
            "cross-entropy, and there is no val_accuracy: compile with "
            "loss='binary_crossentropy' and metrics=['accuracy'].")

    logged = [float(v) for v in metrics[name]]
    on_validation, on_test = measure(validation), measure(test)
    distance_validation = min(abs(v - on_validation) for v in logged)
    distance_test = min(abs(v - on_test) for v in logged)
    matches_validation = distance_validation <= tolerance(on_validation)
    matches_test = distance_test <= tolerance(on_test)
    if matches_test and (not matches_validation
                         or (name == "val_loss" and distance_test < distance_validation)):
        logged_text = ", ".join(f"{v:.4f}" for v in logged)
        raise CheckFailed(
            f"The history's {name} per epoch ({logged_text}) matches the test set "
            f"({on_test:.4f}), not the validation set ({on_validation:.4f}): the test set "
            "was given to model.fit as validation_data, so early stopping chose the epoch "
            "by its score on the test set. Validate on the validation split; keep the test "
            "set for the end.")
    if not matches_validation:
        logged_text = ", ".join(f"{v:.4f}" for v in logged)
        raise CheckFailed(
            f"None of the history's {name} values ({logged_text}) is the model's {name[4:]} "
            f"on the validation data you passed ({on_validation:.4f}). Pass the History of "
            "the fit that produced this model, fitted with validation_data=<that validation "
            "data> (and restore_best_weights=True if early stopping ends the training).")
    epochs = [k for k, v in enumerate(logged) if abs(v - on_validation)
              <= tolerance(on_validation)]
    return _Watched(name, on_validation, epochs)


def _check_best_epoch(fit_log, watched: _Watched) -> None:
    """The model should be the best epoch's, as early stopping restores it."""
    metrics = fit_log["metrics"]
    best = set()
    if "val_accuracy" in metrics:
        values = [float(v) for v in metrics["val_accuracy"]]
        best.add(int(np.argmax(values)))
        best.update(k for k, v in enumerate(values) if v == max(values))
    if "val_loss" in metrics:
        values = [float(v) for v in metrics["val_loss"]]
        best.update(k for k, v in enumerate(values) if v == min(values))
    if best & set(watched.epochs):
        return
    epoch = watched.epochs[-1]
    if "val_accuracy" in metrics:
        values = [float(v) for v in metrics["val_accuracy"]]
        better = f"epoch {int(np.argmax(values)) + 1} scored {max(values):.4f} accuracy"
    else:
        values = [float(v) for v in metrics["val_loss"]]
        better = f"epoch {int(np.argmin(values)) + 1} reached loss {min(values):.4f}"
    raise CheckFailed(
        f"The model is the one after epoch {epoch + 1} (its validation {watched.name[4:]} "
        f"{watched.value:.4f}), but {better} on the validation set. Early stopping with "
        "restore_best_weights=True hands back the best epoch's weights: train with "
        "callbacks=[sentiment.early_stopping()].")


def _gap_margin(accuracy: float, n_validation: int, n_test: int) -> float:
    """Four standard errors of a difference of two accuracies, plus two points."""
    p = min(max(accuracy, 0.05), 0.95)
    return 4 * math.sqrt(p * (1 - p) * (1 / n_validation + 1 / n_test)) + 0.02

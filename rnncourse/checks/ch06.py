"""Check for chapter 6's exercise: a trained IMDB classifier, evaluated honestly.

``check_imdb_classifier(model, history, train, validation, test)`` verifies three things:

1. Structure: one input (integer ids ``(batch, time)`` or raw strings ``(batch,)``), a
   recurrent layer somewhere inside, and one sigmoid output ``(batch, 1)``.
2. Training: the accuracy on ``validation`` clears a floor (an untrained model scores
   about 0.5 on balanced data).
3. No test-set leakage:
   - no test review is in ``train`` or ``validation`` (compared example by example);
   - the validation metrics in ``history`` are reproduced on ``validation``, so early
     stopping watched the validation set; if they match the test set instead, the test
     set was given to ``fit`` as ``validation_data``;
   - the model does not do much better on the test set than on the validation set (the
     signature of a model that has seen the test reviews).
"""

from __future__ import annotations

import hashlib
import math

import keras
import numpy as np
import tensorflow as tf

_BATCH = 256
# Keras clips probabilities to [EPSILON, 1 - EPSILON] in binary cross-entropy.
_EPSILON = 1e-7


def check_imdb_classifier(model, history, train, validation, test, *,
                          min_accuracy: float = 0.75) -> dict:
    """Check a trained sentiment classifier; return its validation and test accuracy.

    ``model``: a ``keras.Model`` from ids ``(batch, time)`` or strings ``(batch,)`` to
    probabilities ``(batch, 1)``. ``history``: the ``History`` that ``model.fit``
    returned, fitted with ``validation_data=validation``. ``train``, ``validation``,
    ``test``: the data, in the form the model takes, each a batched ``tf.data.Dataset``
    of ``(inputs, labels)``, a pair ``(inputs, labels)`` of arrays, or a
    ``rnncourse.data.Reviews`` (raw strings). ``min_accuracy``: the validation accuracy
    the model must reach.
    """
    if not 0 <= min_accuracy < 1:
        raise ValueError(f"min_accuracy must be in [0, 1), got {min_accuracy}")
    recurrent = _check_structure(model)
    fit_log = _history_dict(history)

    val_probabilities, val_labels, val_prints = _predict(model, validation, "validation")
    val_accuracy = _accuracy(val_probabilities, val_labels)
    if val_accuracy < min_accuracy:
        raise AssertionError(
            f"The accuracy on the validation set is {val_accuracy:.3f}, below the floor "
            f"{min_accuracy:.2f}" + (" — no better than guessing, as an untrained model "
                                     "does" if val_accuracy < 0.6 else "")
            + ". Train the model (model.fit) before checking it, for enough epochs, and "
            "check the learning rate. If you pad after the words (post-padding), the "
            "embedding needs mask_zero=True: chapter 6, section 4.")

    test_probabilities, test_labels, test_prints = _predict(model, test, "test")
    test_accuracy = _accuracy(test_probabilities, test_labels)
    _check_disjoint(test_prints, val_prints, "validation")
    _check_disjoint(test_prints, _fingerprints(train, "train"), "training")
    _check_fit_steps(fit_log, train)
    _check_validation_metrics(fit_log, (val_probabilities, val_labels),
                              (test_probabilities, test_labels))
    margin = _gap_margin(val_accuracy, len(val_labels), len(test_labels))
    if test_accuracy - val_accuracy > margin:
        raise AssertionError(
            f"The model is much better on the test set ({test_accuracy:.3f}) than on the "
            f"validation set ({val_accuracy:.3f}); a gap over {margin:.3f} does not happen "
            "by chance. Was it trained on test reviews? Fit on the training split only.")

    print(f"✓ The model reads {_input_kind(model)} through a {recurrent} layer into one "
          f"sigmoid output; validation accuracy {val_accuracy:.3f} ≥ {min_accuracy:.2f} "
          f"on {len(val_labels):,} reviews; the {len(test_labels):,} test reviews appear "
          "in neither training nor validation data, the history's validation metrics are "
          "reproduced on the validation set (so early stopping watched it), and test "
          f"accuracy {test_accuracy:.3f} is in line with validation.")
    return {"validation_accuracy": val_accuracy, "test_accuracy": test_accuracy,
            "recurrent_layer": recurrent}


# ---------------------------------------------------------------------------------------
# Structure


def _check_structure(model) -> str:
    if not isinstance(model, keras.Model):
        raise AssertionError(f"Expected a keras.Model, got {type(model).__name__}.")
    if len(model.inputs) != 1:
        raise AssertionError(f"The model should take one input (the reviews), it takes "
                             f"{len(model.inputs)}.")
    dtype = str(model.inputs[0].dtype)
    if not ("int" in dtype or "string" in dtype):
        raise AssertionError(
            f"The model's input has dtype {dtype}; it should take integer token ids "
            "(keras.Input(shape=(None,), dtype='int32')) or raw strings (dtype='string').")
    shape = tuple(model.outputs[0].shape) if len(model.outputs) == 1 else None
    if shape is None or len(shape) != 2 or shape[-1] != 1:
        raise AssertionError(
            f"The model's output has shape {shape if shape else len(model.outputs)}; it "
            "should be one probability per review, (batch, 1): end with "
            "keras.layers.Dense(1, activation='sigmoid').")
    layers = list(_all_layers(model))
    last = _output_layer(model)
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    if activation != "sigmoid":
        raise AssertionError(
            f"The last layer, {last.name!r} ({type(last).__name__}), has activation "
            f"{activation!r}; the output must be a probability: use "
            "activation='sigmoid' (binary cross-entropy expects probabilities).")
    recurrent = [layer for layer in layers
                 if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
    if not recurrent:
        raise AssertionError(
            "The model has no recurrent layer (found "
            + ", ".join(type(layer).__name__ for layer in layers)
            + "); put a GRU or a Bidirectional(LSTM) between the embedding and the output.")
    return _describe(recurrent[0])


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


# ---------------------------------------------------------------------------------------
# Data


def _batches(data, what: str):
    """Yield ``(inputs, labels)`` batches from any of the accepted data forms."""
    if hasattr(data, "texts") and hasattr(data, "labels"):
        texts, labels = list(data.texts), np.asarray(data.labels)
        for start in range(0, len(texts), _BATCH):
            yield tf.constant(texts[start:start + _BATCH]), labels[start:start + _BATCH]
    elif isinstance(data, tf.data.Dataset):
        for element in data:
            if not (isinstance(element, tuple) and len(element) >= 2):
                raise AssertionError(
                    f"The {what} dataset should yield (inputs, labels) pairs, got "
                    f"{type(element).__name__}.")
            inputs, labels = element[0], element[1]
            if len(inputs.shape) == 1 and inputs.dtype != tf.string:
                raise AssertionError(
                    f"The {what} dataset yields single reviews, not batches: add .batch().")
            yield inputs, np.asarray(labels)
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        inputs, labels = data
        labels = np.asarray(labels)
        for start in range(0, len(labels), _BATCH):
            chunk = inputs[start:start + _BATCH]
            if isinstance(chunk, list) or getattr(chunk, "dtype", None) is np.dtype(object):
                chunk = tf.constant(list(chunk))
            yield chunk, labels[start:start + _BATCH]
    else:
        raise AssertionError(
            f"The {what} data should be a batched tf.data.Dataset of (inputs, labels), a "
            f"pair (inputs, labels), or Reviews; got {type(data).__name__}.")


def _fingerprint(example) -> bytes:
    if isinstance(example, (bytes, str)):
        text = example.encode() if isinstance(example, str) else example
        return hashlib.blake2b(text, digest_size=12).digest()
    ids = np.asarray(example).astype(np.int64)
    return hashlib.blake2b(ids[ids != 0].tobytes(), digest_size=12).digest()


def _example_prints(inputs) -> list[bytes]:
    array = inputs.numpy() if hasattr(inputs, "numpy") else np.asarray(inputs)
    return [_fingerprint(row) for row in array]


def _fingerprints(data, what: str) -> set[bytes]:
    prints = set()
    for inputs, _ in _batches(data, what):
        prints.update(_example_prints(inputs))
    return prints


def _predict(model, data, what: str):
    probabilities, labels, prints = [], [], set()
    for inputs, batch_labels in _batches(data, what):
        try:
            output = model.predict_on_batch(inputs)
        except Exception as error:  # noqa: BLE001 - explain any failure to the learner
            raise AssertionError(
                f"The model failed on a batch of the {what} data ({type(error).__name__}: "
                f"{str(error)[:300]}). Pass the data in the form the model takes.") from error
        probabilities.append(np.asarray(output, dtype=np.float64).reshape(-1))
        labels.append(np.asarray(batch_labels, dtype=np.float64).reshape(-1))
        prints.update(_example_prints(inputs))
    if not labels:
        raise AssertionError(f"The {what} data is empty.")
    probabilities, labels = np.concatenate(probabilities), np.concatenate(labels)
    if not np.all((probabilities >= 0) & (probabilities <= 1)):
        raise AssertionError("The model's outputs are not probabilities in [0, 1]; end "
                             "with activation='sigmoid'.")
    return probabilities, labels, prints


def _accuracy(probabilities, labels) -> float:
    return float(np.mean((probabilities > 0.5) == (labels > 0.5)))


def _log_loss(probabilities, labels) -> float:
    p = np.clip(probabilities, _EPSILON, 1 - _EPSILON)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


# ---------------------------------------------------------------------------------------
# Leakage


def _history_dict(history) -> dict:
    log = getattr(history, "history", history)
    if not isinstance(log, dict) or not log:
        raise AssertionError(
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
        raise AssertionError(
            f"{shared:,} of the {len(test_prints):,} test reviews are also in your {what} "
            "data. The test set must stay unseen until the final evaluation: carve the "
            "validation set out of the training set, and fit on the rest of it.")


def _check_fit_steps(fit_log: dict, train) -> None:
    steps = fit_log["steps"]
    if not isinstance(train, tf.data.Dataset) or not steps:
        return
    batches = int(train.cardinality())
    if batches > 0 and batches != steps:
        raise AssertionError(
            f"model.fit ran {steps} batches per epoch, but the train dataset you passed has "
            f"{batches}: pass the same training data that the model was fitted on.")


def _check_validation_metrics(fit_log, validation, test) -> None:
    metrics = fit_log["metrics"]
    # The loss is continuous, so matching it is a precise test; accuracy is the fallback
    # (a model with regularization losses has a val_loss that the check cannot recompute).
    measures = [(name, measure, tolerance) for name, measure, tolerance in [
        ("val_loss", _log_loss, None),
        ("val_accuracy", _accuracy, max(0.003, 3 / len(validation[1])))] if name in metrics]
    if not measures:
        raise AssertionError(
            "The history has no validation metrics (keys: " + ", ".join(metrics) + "). "
            "Pass validation_data=<your validation split> to model.fit, and let early "
            "stopping watch it.")

    def reproduced(data):
        """Per metric: (value on data, whether some epoch logged that value)."""
        found = {}
        for name, measure, tolerance in measures:
            value = measure(*data)
            limit = tolerance if tolerance is not None else 1e-3 * max(1.0, abs(value))
            found[name] = value, any(abs(value - float(v)) <= limit for v in metrics[name])
        return found

    on_validation = reproduced(validation)
    if any(ok for _, ok in on_validation.values()):
        return
    on_test = reproduced(test)
    name = measures[-1][0]
    logged_text = ", ".join(f"{float(v):.4f}" for v in metrics[name])
    if any(ok for _, ok in on_test.values()):
        raise AssertionError(
            f"The history's {name} per epoch ({logged_text}) matches the test set "
            f"({on_test[name][0]:.4f}), not the validation set ({on_validation[name][0]:.4f}):"
            " the test set was given to model.fit as validation_data, so early stopping "
            "chose the epoch by test accuracy. Validate on the validation split; keep the "
            "test set for the end.")
    raise AssertionError(
        f"None of the history's {name} values ({logged_text}) is the model's {name} on "
        f"the validation data you passed ({on_validation[name][0]:.4f}). Pass the History "
        "of the fit that produced this model, fitted with validation_data=<that validation "
        "data> (and restore_best_weights=True if early stopping ends the training).")


def _gap_margin(accuracy: float, n_validation: int, n_test: int) -> float:
    """Four standard errors of a difference of two accuracies, plus two points."""
    p = min(max(accuracy, 0.05), 0.95)
    return 4 * math.sqrt(p * (1 - p) * (1 / n_validation + 1 / n_test)) + 0.02

"""Chapter 6 and its exercise: the recorded results, and the check's verdicts."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from small_parameters import SMALL_PARAMETERS

from rnncourse import sentiment
from rnncourse.checks import check_imdb_classifier

SOLUTION = "solutions/ch06_imdb_sentiment.ipynb"


@pytest.fixture(scope="module")
def solution(run_notebook):
    return run_notebook(SOLUTION, **SMALL_PARAMETERS[SOLUTION])


# --- the solution (the chapter's claims: tests/chapters/test_ch06_claims.py) ------

def test_solution_passes_its_check(solution):
    printed = "".join(o.get("text", "") for c in solution.notebook.cells
                      for o in c.get("outputs", []))
    assert "✓ The model reads integer token ids through a GRU layer" in printed
    assert solution["recurrent_layer"] == "GRU"
    assert solution["validation_accuracy"] >= SMALL_PARAMETERS[SOLUTION]["MIN_ACCURACY"]
    assert 0 <= solution["test_accuracy"] <= 1


# --- the check itself, on a small synthetic task ---------------------------------------
# Each sequence holds random filler ids and three copies of a "good" (2) or "bad" (3) id;
# 10 % of the labels are flipped, so no model is perfect and accuracies differ by split.

def synthetic(n, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(4, 40, size=(n, 12)).astype(np.int32)
    labels = rng.integers(0, 2, size=n)
    for row, label in zip(ids, labels, strict=True):
        row[rng.choice(12, size=3, replace=False)] = 2 if label else 3
    flipped = rng.random(n) < 0.1
    return ids, np.where(flipped, 1 - labels, labels).astype(np.float32)


def batched(data, shuffle=False):
    dataset = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        dataset = dataset.shuffle(len(data[1]), seed=0)
    return dataset.batch(32)


def small_model(output="sigmoid", recurrent=True):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(40, 8, mask_zero=True)(ids)
    x = keras.layers.GRU(8)(x) if recurrent else keras.layers.GlobalAveragePooling1D()(x)
    units = 2 if output == "softmax" else 1
    model = keras.Model(ids, keras.layers.Dense(units, activation=output)(x))
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data():
    return {"train": synthetic(1200, 1), "validation": synthetic(600, 2),
            "test": synthetic(600, 3)}


def fit(data, validate_on="validation", train_on=("train",)):
    keras.utils.set_random_seed(0)
    model = small_model()
    fit_x = np.concatenate([data[name][0] for name in train_on])
    fit_y = np.concatenate([data[name][1] for name in train_on])
    history = model.fit(batched((fit_x, fit_y), shuffle=True), epochs=6, verbose=0,
                        validation_data=batched(data[validate_on]),
                        callbacks=[sentiment.early_stopping(patience=2)])
    return model, history


@pytest.fixture(scope="module")
def trained(data):
    return fit(data)


def run_check(model, history, data, train=None, **kwargs):
    return check_imdb_classifier(model, history, train or batched(data["train"]),
                                 batched(data["validation"]), batched(data["test"]),
                                 **kwargs)


def test_check_accepts_a_model_trained_honestly(trained, data, capsys):
    result = run_check(*trained, data, min_accuracy=0.75)
    assert result["recurrent_layer"] == "GRU"
    assert result["validation_accuracy"] >= 0.75
    assert "✓" in capsys.readouterr().out


def test_check_accepts_array_pairs_too(trained, data):
    model, history = trained
    check_imdb_classifier(model, history, data["train"], data["validation"], data["test"],
                          min_accuracy=0.75)


def test_check_rejects_an_untrained_model(trained, data):
    _, history = trained
    keras.utils.set_random_seed(0)
    with pytest.raises(AssertionError, match="no better than guessing"):
        run_check(small_model(), history, data, min_accuracy=0.75)


@pytest.mark.parametrize("output, message", [
    ("softmax", r"shape \(None, 2\).*Dense\(1, activation='sigmoid'\)"),
    ("linear", "activation 'linear'.*sigmoid")])
def test_check_rejects_a_wrong_output_layer(trained, data, output, message):
    with pytest.raises(AssertionError, match=message):
        run_check(small_model(output=output), trained[1], data)


def test_check_rejects_a_model_without_recurrent_layer(trained, data):
    with pytest.raises(AssertionError, match="no recurrent layer"):
        run_check(small_model(recurrent=False), trained[1], data)


def test_check_detects_the_test_set_used_for_early_stopping(data):
    model, history = fit(data, validate_on="test")
    with pytest.raises(AssertionError, match="matches the test set.*validation_data"):
        run_check(model, history, data, min_accuracy=0.75)


def test_check_detects_test_reviews_in_the_training_data(data):
    model, history = fit(data, train_on=("train", "test"))
    leaky_train = batched((np.concatenate([data["train"][0], data["test"][0]]),
                           np.concatenate([data["train"][1], data["test"][1]])))
    with pytest.raises(AssertionError, match="600 of the 600 test reviews are also in your "
                                             "training data"):
        run_check(model, history, data, train=leaky_train, min_accuracy=0.75)


def test_check_detects_training_data_that_was_not_the_fitted_data(data):
    model, history = fit(data, train_on=("train", "test"))
    with pytest.raises(AssertionError, match="ran 57 batches per epoch.*has 38"):
        run_check(model, history, data, min_accuracy=0.75)


def test_check_needs_the_history_with_validation(trained, data):
    model, _ = trained
    with pytest.raises(AssertionError, match="Pass the History"):
        run_check(model, None, data, min_accuracy=0.75)
    no_validation = keras.callbacks.History()
    no_validation.history = {"loss": [0.5], "accuracy": [0.8]}
    with pytest.raises(AssertionError, match="no validation metrics"):
        run_check(model, no_validation, data, min_accuracy=0.75)

"""rnncourse.checks.ch06: exercise 6's checks, with right and deliberately wrong answers.

The trained-classifier check runs on a small synthetic task: each sequence holds random
filler ids and three copies of a "good" (2) or "bad" (3) id; 10 % of the labels are
flipped, so no model is perfect and accuracies differ by split.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnncourse import sentiment
from rnncourse.checks import check_imdb_classifier, check_imdb_model, check_training
from rnncourse.checks._common import CheckFailed

# Each test trains or runs a small Keras model: seconds each (make test runs them).
pytestmark = pytest.mark.slow


def synthetic(n, seed, padded=False):
    rng = np.random.default_rng(seed)
    ids = rng.integers(4, 40, size=(n, 12)).astype(np.int32)
    labels = rng.integers(0, 2, size=n)
    for row, label in zip(ids, labels, strict=True):
        row[rng.choice(8, size=3, replace=False)] = 2 if label else 3
    if padded:  # zeros after the words, as post-padding leaves them
        for row, length in zip(ids, rng.integers(8, 13, size=n), strict=True):
            row[length:] = 0
    flipped = rng.random(n) < 0.1
    return ids, np.where(flipped, 1 - labels, labels).astype(np.float32)


def batched(data, shuffle=False):
    dataset = tf.data.Dataset.from_tensor_slices(data)
    if shuffle:
        dataset = dataset.shuffle(len(data[1]), seed=0)
    return dataset.batch(32)


def small_model(output="sigmoid", recurrent="GRU", mask_zero=True, compiled=True,
                loss="binary_crossentropy"):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(40, 8, mask_zero=mask_zero)(ids)
    if recurrent == "GRU":
        x = keras.layers.GRU(8)(x)
    elif recurrent == "BiLSTM":
        x = keras.layers.Bidirectional(keras.layers.LSTM(8))(x)
    elif recurrent in ("LSTM", "SimpleRNN"):
        x = getattr(keras.layers, recurrent)(8)(x)
    else:
        x = keras.layers.GlobalAveragePooling1D()(x)
    units = 2 if output == "softmax" else 1
    model = keras.Model(ids, keras.layers.Dense(units, activation=output)(x))
    if compiled:
        model.compile(keras.optimizers.Adam(0.02), loss, metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data():
    # Validation and test differ in size, so a count of batches tells which was fitted.
    return {"train": synthetic(1200, 1), "validation": synthetic(500, 2),
            "test": synthetic(600, 3)}


def fit(data, validate_on="validation", train_on=("train",), arrays=False, stop=True,
        epochs=6):
    keras.utils.set_random_seed(0)
    model = small_model()
    fit_x = np.concatenate([data[name][0] for name in train_on])
    fit_y = np.concatenate([data[name][1] for name in train_on])
    callbacks = [sentiment.early_stopping(patience=2)] if stop else []
    if arrays:
        history = model.fit(fit_x, fit_y, batch_size=32, epochs=epochs, verbose=0,
                            validation_data=data[validate_on], callbacks=callbacks)
    else:
        history = model.fit(batched((fit_x, fit_y), shuffle=True), epochs=epochs, verbose=0,
                            shuffle=False,  # the dataset shuffles itself
                            validation_data=batched(data[validate_on]), callbacks=callbacks)
    return model, history


@pytest.fixture(scope="module")
def trained(data):
    return fit(data)


def run_check(model, history, data, train=None, **kwargs):
    return check_imdb_classifier(model, history, train or batched(data["train"]),
                                 batched(data["validation"]), batched(data["test"]),
                                 **kwargs)


def fake_history(steps, **metrics):
    history = keras.callbacks.History()
    history.history = {key: list(values) for key, values in metrics.items()}
    history.params = {"verbose": 0, "epochs": len(next(iter(metrics.values()))),
                      "steps": steps}
    return history


def loss_and_accuracy(model, data):
    probabilities = np.asarray(model.predict(data[0], verbose=0), np.float64).reshape(-1)
    p = np.clip(probabilities, 1e-7, 1 - 1e-7)
    labels = data[1]
    loss = float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))
    return loss, float(np.mean((probabilities > 0.5) == (labels > 0.5)))


# --- check_imdb_classifier: honest runs pass ---------------------------------------------

def test_check_accepts_a_model_trained_honestly(trained, data, capsys):
    result = run_check(*trained, data, min_accuracy=0.75)
    assert result["recurrent_layer"] == "GRU"
    assert result["validation_accuracy"] >= 0.75
    assert "✓" in capsys.readouterr().out


def test_check_accepts_array_pairs_too(data):
    model, history = fit(data, arrays=True)
    check_imdb_classifier(model, history, data["train"], data["validation"], data["test"],
                          min_accuracy=0.75)


# --- early stopping on the test set (issue 12, defect 1) ---------------------------------

def test_a_val_loss_from_the_test_set_is_a_leak_even_when_val_accuracy_matches():
    """The issue's reproduction: val_loss is the test loss; val_accuracy is 0.002 above the
    validation accuracy (inside the accuracy tolerance max(0.003, 3/n) for n = 2,500)."""
    splits = {"train": synthetic(1200, 1), "validation": synthetic(2500, 2),
              "test": synthetic(2500, 3)}
    model, _ = fit(splits)
    test_loss, _ = loss_and_accuracy(model, splits["test"])
    validation_loss, validation_accuracy = loss_and_accuracy(model, splits["validation"])
    assert abs(test_loss - validation_loss) > 1e-3 * max(1, test_loss)  # the loss tells
    leaky = fake_history(38, loss=[0.4], accuracy=[0.85], val_loss=[test_loss],
                         val_accuracy=[validation_accuracy + 0.002])
    with pytest.raises(CheckFailed, match="val_loss per epoch .* matches the test set"):
        run_check(model, leaky, splits, min_accuracy=0.75)


def test_accuracy_decides_only_when_no_loss_was_logged(trained, data):
    model, _ = trained
    _, validation_accuracy = loss_and_accuracy(model, data["validation"])
    honest = fake_history(38, val_accuracy=[validation_accuracy + 0.002])
    run_check(model, honest, data, min_accuracy=0.75)


def test_check_detects_the_test_set_used_for_early_stopping(data):
    model, history = fit(data, validate_on="test")
    with pytest.raises(CheckFailed, match="matches the test set.*validation_data"):
        run_check(model, history, data, min_accuracy=0.75)


def test_check_needs_the_best_epoch_of_early_stopping(trained, data):
    model, _ = trained
    loss, accuracy = loss_and_accuracy(model, data["validation"])
    last_is_worse = fake_history(38, val_loss=[loss - 0.05, loss],
                                 val_accuracy=[accuracy + 0.05, accuracy])
    with pytest.raises(CheckFailed, match="after epoch 2 .* but epoch 1 scored .*"
                                          "restore_best_weights=True"):
        run_check(model, last_is_worse, data, min_accuracy=0.75)


# --- training data that is not what was fitted --------------------------------------------

def test_check_detects_test_reviews_in_the_training_data(data):
    model, history = fit(data, train_on=("train", "test"))
    leaky_train = batched((np.concatenate([data["train"][0], data["test"][0]]),
                           np.concatenate([data["train"][1], data["test"][1]])))
    with pytest.raises(CheckFailed, match="600 of the 600 test reviews are also in your "
                                          "training data"):
        run_check(model, history, data, train=leaky_train, min_accuracy=0.75)


@pytest.mark.parametrize("arrays", [False, True], ids=["tf.data", "arrays"])
def test_check_says_when_the_test_data_were_trained_on(data, arrays):
    model, history = fit(data, train_on=("train", "test"), arrays=arrays)
    train = data["train"] if arrays else batched(data["train"])
    with pytest.raises(CheckFailed, match="trained on the test data too: model.fit ran 57 "
                                          "batches .*alone: 38"):
        check_imdb_classifier(model, history, train, batched(data["validation"]),
                              batched(data["test"]), min_accuracy=0.75)


def as_texts(data):
    """The synthetic ids as strings of words ("w2 w17 ..."), and the labels."""
    return [" ".join(f"w{i}" for i in row if i) for row in data[0]], data[1]


def test_check_ties_raw_strings_to_what_was_fitted(data):
    texts = {name: as_texts(split) for name, split in data.items()}
    keras.utils.set_random_seed(0)
    vectorizer = keras.layers.TextVectorization(max_tokens=42)
    vectorizer.adapt(texts["train"][0])
    reviews = keras.Input(shape=(), dtype="string")
    x = keras.layers.Embedding(42, 8, mask_zero=True)(vectorizer(reviews))
    x = keras.layers.GRU(8)(x)
    model = keras.Model(reviews, keras.layers.Dense(1, activation="sigmoid")(x))
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["accuracy"])
    fit_texts = tf.constant(texts["train"][0] + texts["test"][0])  # the mistake
    fit_labels = np.concatenate([texts["train"][1], texts["test"][1]])
    history = model.fit(fit_texts, fit_labels, epochs=6,
                        verbose=0, validation_data=(tf.constant(texts["validation"][0]),
                                                    texts["validation"][1]),
                        callbacks=[sentiment.early_stopping(patience=2)])
    with pytest.raises(CheckFailed, match="trained on the test data too"):
        check_imdb_classifier(model, history, texts["train"], texts["validation"],
                              texts["test"], min_accuracy=0.75)


def test_check_says_when_the_validation_data_were_trained_on(data):
    model, history = fit(data, train_on=("train", "validation"), arrays=True)
    with pytest.raises(CheckFailed, match="trained on the validation data too.*early "
                                          "stopping then watches reviews"):
        check_imdb_classifier(model, history, data["train"], data["validation"],
                              data["test"], min_accuracy=0.75)


def test_when_validation_and_test_are_alike_the_check_says_either(trained, data):
    model, _ = trained
    splits = {**data, "validation": synthetic(600, 2)}  # as many reviews as the test set
    loss, accuracy = loss_and_accuracy(model, splits["validation"])
    history = fake_history(57, val_loss=[loss], val_accuracy=[accuracy])
    with pytest.raises(CheckFailed, match="trained on the validation or the test data too.*"
                                          "cannot tell which"):
        run_check(model, history, splits, min_accuracy=0.75)


def test_arrays_fitted_with_another_batch_size_need_it_named(data):
    keras.utils.set_random_seed(0)
    model = small_model()
    history = model.fit(*data["train"], batch_size=20, epochs=4, verbose=0,
                        validation_data=data["validation"],
                        callbacks=[sentiment.early_stopping(patience=2)])
    args = (model, history, data["train"], data["validation"], data["test"])
    with pytest.raises(CheckFailed, match="ran 60 batches.*make 38 batches of 32.*"
                                          "batch_size="):
        check_imdb_classifier(*args, min_accuracy=0.7)
    check_imdb_classifier(*args, min_accuracy=0.7, batch_size=20)


def test_check_needs_the_history_with_validation(trained, data):
    model, _ = trained
    with pytest.raises(CheckFailed, match="history is None: did train forget to return"):
        run_check(model, None, data, min_accuracy=0.75)
    with pytest.raises(CheckFailed, match="Pass the History"):
        run_check(model, 0.5, data, min_accuracy=0.75)
    with pytest.raises(CheckFailed, match="model is None: did build_model forget"):
        run_check(None, trained[1], data, min_accuracy=0.75)
    no_validation = fake_history(38, loss=[0.5], accuracy=[0.8])
    with pytest.raises(CheckFailed, match="no validation metrics"):
        run_check(model, no_validation, data, min_accuracy=0.75)


# --- the accuracy floor and its hints -----------------------------------------------------

def padded_data():
    return {"train": synthetic(300, 1, padded=True), "validation": synthetic(300, 2, True),
            "test": synthetic(300, 3, True)}


def test_the_mask_hint_comes_when_post_padding_is_unmasked():
    splits = padded_data()
    keras.utils.set_random_seed(0)
    model = small_model(mask_zero=False)
    history = fake_history(10, val_loss=[0.69], val_accuracy=[0.5])
    with pytest.raises(CheckFailed, match="no better than guessing.*padded after the words"
                                          ".*mask_zero=False.*mask_zero=True"):
        run_check(model, history, splits, min_accuracy=0.75)


def test_no_mask_hint_for_a_masked_model(capsys):
    splits = padded_data()
    keras.utils.set_random_seed(0)
    model = small_model(mask_zero=True)
    history = fake_history(10, val_loss=[0.69, 0.68], val_accuracy=[0.5, 0.5])
    with pytest.raises(CheckFailed) as failure:
        run_check(model, history, splits, min_accuracy=0.75)
    message = str(failure.value)
    assert "mask_zero" not in message
    assert "trained for 2 epoch(s)" in message and "hint=True" in message
    with pytest.raises(CheckFailed, match="Hint: Pad after the words"):
        run_check(model, history, splits, min_accuracy=0.75, hint=True)


# --- structure, in the final check and right after build_model ------------------------------

@pytest.mark.parametrize("output, message", [
    ("softmax", r"shape \(None, 2\).*Dense\(1, activation='sigmoid'\)"),
    ("linear", "activation 'linear'.*sigmoid")])
def test_check_rejects_a_wrong_output_layer(trained, data, output, message):
    with pytest.raises(CheckFailed, match=message):
        run_check(small_model(output=output), trained[1], data)


@pytest.mark.parametrize("recurrent, message", [
    (None, "no recurrent layer"),
    ("LSTM", "recurrent layer is LSTM.*asks for a GRU or a Bidirectional\\(LSTM\\)"),
    ("SimpleRNN", "recurrent layer is SimpleRNN.*asks for a GRU")])
def test_check_rejects_a_recurrent_layer_the_exercise_does_not_ask_for(trained, data,
                                                                       recurrent, message):
    with pytest.raises(CheckFailed, match=message):
        run_check(small_model(recurrent=recurrent), trained[1], data)


def build_model(vocab_size, embedding_dim, units, mask_zero, *, recurrent="GRU",
                ignore_mask=False, units_used=None, compiled=True,
                loss="binary_crossentropy", drop_mask=False):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, embedding_dim,
                               mask_zero=True if ignore_mask else mask_zero)(ids)
    x = keras.layers.Dropout(0.3)(x)
    if drop_mask:
        x = keras.layers.Conv1D(embedding_dim, 1)(x)
    layer = {"GRU": keras.layers.GRU, "LSTM": keras.layers.LSTM}[recurrent.removeprefix("Bi")]
    layer = layer(units_used or units)
    x = (keras.layers.Bidirectional(layer) if recurrent.startswith("Bi") else layer)(x)
    model = keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(x))
    if compiled:
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("recurrent", ["GRU", "BiLSTM", "BiGRU"])
def test_model_check_accepts_what_the_exercise_asks_for(recurrent, capsys):
    described = check_imdb_model(lambda *args: build_model(*args, recurrent=recurrent))
    assert described == {"GRU": "GRU", "BiLSTM": "Bidirectional(LSTM)",
                         "BiGRU": "Bidirectional(GRU)"}[recurrent]
    assert "✓ build_model makes Embedding →" in capsys.readouterr().out


def stub(vocab_size, embedding_dim, units, mask_zero):
    raise NotImplementedError("Input → Embedding → GRU → Dense; compile")


@pytest.mark.parametrize("learner, message", [
    (stub, "still the exercise stub"),
    (lambda *args: None, "returned None.*forget `return`"),
    (lambda *args: build_model(*args, recurrent="LSTM"), "recurrent layer is LSTM"),
    (lambda *args: build_model(*args, ignore_mask=True), "ignores its mask_zero argument"),
    (lambda *args: build_model(*args, units_used=7), "has 7 units"),
    (lambda *args: build_model(*args, compiled=False), "not compiled"),
    (lambda *args: build_model(*args, loss="mse"), "loss 'mse'.*binary_crossentropy"),
    (lambda *args: build_model(*args, drop_mask=True), "padding zeros after the words "
                                                       "change the output"),
])
def test_model_check_names_the_mistake(learner, message):
    with pytest.raises(CheckFailed, match=message):
        check_imdb_model(learner)


def test_model_check_gives_the_recipe_only_when_asked():
    def learner(*args):
        return build_model(*args, recurrent="LSTM")

    with pytest.raises(CheckFailed) as failure:
        check_imdb_model(learner)
    assert "hint=True" in str(failure.value) and "keras.Input" not in str(failure.value)
    with pytest.raises(CheckFailed, match="Hint: ids = keras.Input"):
        check_imdb_model(learner, hint=True)


# --- check_training: early stopping on the validation data ---------------------------------

EPOCHS = 2


def train_right(model, fit_data, validation_data):
    return model.fit(fit_data, validation_data=validation_data, epochs=EPOCHS, verbose=0,
                     callbacks=[sentiment.early_stopping()])


def test_training_check_accepts_early_stopping_on_the_validation_data(capsys):
    history = check_training(train_right)
    assert isinstance(history, keras.callbacks.History)
    assert "✓ train fits on fit_data for at most 2 epoch(s)" in capsys.readouterr().out


def stopping(**kwargs):
    return keras.callbacks.EarlyStopping(**{"monitor": "val_accuracy",
                                            "restore_best_weights": True, **kwargs})


@pytest.mark.parametrize("learner, message", [
    (lambda m, f, v: m.fit(f, validation_data=v, epochs=EPOCHS, verbose=0),
     "no EarlyStopping callback"),
    (lambda m, f, v: m.fit(f, epochs=EPOCHS, verbose=0, callbacks=[stopping()]),
     "no validation_data"),
    (lambda m, f, v: m.fit(f, validation_data=f, epochs=EPOCHS, verbose=0,
                           callbacks=[stopping()]), "validates on something other"),
    (lambda m, f, v: m.fit(v, validation_data=v, epochs=EPOCHS, verbose=0,
                           callbacks=[stopping()]), "fitted the model on validation_data"),
    (lambda m, f, v: m.fit(f, validation_data=v, epochs=EPOCHS, verbose=0,
                           callbacks=[stopping(monitor="accuracy")]),
     "watches 'accuracy'.*monitor='val_accuracy'"),
    (lambda m, f, v: m.fit(f, validation_data=v, epochs=EPOCHS, verbose=0,
                           callbacks=[stopping(restore_best_weights=False)]),
     "restore_best_weights=False"),
    (lambda m, f, v: (m.fit(f, validation_data=v, epochs=EPOCHS, verbose=0,
                            callbacks=[stopping()]), None)[1], "returned None"),
    (lambda m, f, v: m.fit(f, validation_data=v, epochs=EPOCHS, verbose=0,
                           callbacks=[stopping()]).history, "returned a dict"),
    (lambda m, f, v: 1, "never called model.fit"),
])
def test_training_check_names_the_mistake(learner, message):
    with pytest.raises(CheckFailed, match=message):
        check_training(learner)

"""Chapter 6's sentiment pipeline: reviews to integers, batches, models, predictions.

The chapter, its exercise and the benchmark (``bench/imdb_bench.py``) share this code, so
that the model the chapter trains is the model the benchmark times.

- Text to integers: ``make_vectorizer`` adapts a ``TextVectorization`` layer (id 0 is
  padding, id 1 the out-of-vocabulary token); ``encode`` turns reviews into unpadded id
  arrays; ``pad`` pads or truncates them to one length, keeping the *end* of a long review.
- Batches: ``make_dataset`` builds a ``tf.data`` pipeline, optionally grouping reviews of
  similar length so that each batch is padded only to its own longest review.
- Models: ``build_classifier`` (Embedding → recurrent layer → Dense → sigmoid),
  ``make_tfidf_baseline`` (bag of word and bigram tf-idf → Dense → sigmoid, streamed),
  ``end_to_end`` (raw strings in, probability out; ``CleanReviews`` removes the ``<br />``
  tags as ``load_imdb`` does, ``LastTokens`` does the truncation).
- Use: ``predict_sentiment(model, texts)``.
- Comparing two models on the same reviews: ``mcnemar_p_value`` (paired, exact);
  combining them: ``choose_combination_weight`` and ``combine_probabilities``.

Padding goes *after* the words by default (``"post"``). With ``mask_zero=True`` that is
the only layout a GPU accepts: Keras runs ``LSTM`` and ``GRU`` through cuDNN there, and
cuDNN takes a mask only when every row is right-padded and none is fully masked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from rnncourse.data import clean_review
from rnncourse.layers import CleanReviews, LastTokens

# Batches of different widths make TensorFlow retrace a model's functions a few times;
# its notice about that ("triggered tf.function retracing") is expected here.
tf.get_logger().setLevel("ERROR")

#: The chapter's final model and its training budget; the benchmark reads the same values.
FINAL = {
    "vocab_size": 20_000,
    "max_length": 800,
    "embedding_dim": 64,
    "units": 64,
    "dropout": 0.3,
    "word_dropout": 0.3,
    "batch_size": 128,
    "epochs": 6,
    "learning_rate": 2e-3,
    "learning_rate_decay": 0.6,
    "clipnorm": 1.0,
    "ema_momentum": 0.99,
    "validation_size": 2_500,
}

#: The recurrent layers the comparison uses, by name.
RECURRENT_KINDS = ("SimpleRNN", "LSTM", "GRU", "BiLSTM")
PADDING_CHOICES = ("pre", "post")
#: The keys of a configuration such as ``FINAL`` that ``build_classifier`` takes.
MODEL_OPTIONS = ("vocab_size", "embedding_dim", "units", "dropout", "word_dropout",
                 "learning_rate", "learning_rate_decay", "clipnorm", "ema_momentum")


# ---------------------------------------------------------------------------------------
# Text to integers


def make_vectorizer(texts: Sequence[str], vocab_size: int,
                    batch_size: int = 1024) -> keras.layers.TextVectorization:
    """A ``TextVectorization`` layer adapted to ``texts``: lower-case, no punctuation.

    It maps a batch of strings ``(batch,)`` to integer ids ``(batch, longest)``, padded
    with 0 at the end; id 1 stands for every word outside the ``vocab_size - 2`` most
    frequent ones (out of vocabulary, "[UNK]").
    """
    if vocab_size < 3:
        raise ValueError(f"vocab_size must be at least 3 (padding, [UNK], one word), "
                         f"got {vocab_size}")
    vectorizer = keras.layers.TextVectorization(max_tokens=vocab_size)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(list(texts)).batch(batch_size))
    drop_unsavable_words(vectorizer)
    return vectorizer


def drop_unsavable_words(vectorizer) -> list[str]:
    """Remove vocabulary words that a saved model could not load again; return them.

    Keras writes the vocabulary into the ``.keras`` file one word per line and reads it
    back with ``str.splitlines``, which also breaks lines at rarer characters such as
    ``"\x85"`` (an ellipsis in an old Windows encoding, frequent in IMDB reviews). Such
    a word comes back as two, and loading fails. Without it, the word becomes ``[UNK]``.
    """
    vocabulary = [str(word) for word in vectorizer.get_vocabulary()]
    unsavable = [word for word in vocabulary[2:] if word.splitlines() != [word]]
    if unsavable:
        vectorizer.set_vocabulary([w for w in vocabulary[2:] if w not in unsavable])
    return unsavable


def encode(vectorizer, texts: Sequence[str], batch_size: int = 1024) -> list[np.ndarray]:
    """Token ids of every text, without padding: a list of int32 arrays (one per text)."""
    sequences = []
    for start in range(0, len(texts), batch_size):
        ids = np.asarray(vectorizer(tf.constant(list(texts[start:start + batch_size]))))
        sequences += [row[row != 0].astype(np.int32) for row in ids]
    return sequences


def decode(vectorizer, ids) -> str:
    """The words behind a sequence of ids (padding, id 0, is left out)."""
    vocabulary = vectorizer.get_vocabulary()
    return " ".join(vocabulary[int(i)] for i in np.asarray(ids).ravel() if int(i) != 0)


def pad(sequences: Sequence[np.ndarray], max_length: int, padding: str = "post") -> np.ndarray:
    """Stack sequences into ``(len(sequences), max_length)`` int32 ids.

    Longer sequences keep their *last* ``max_length`` ids; shorter ones are filled with 0
    after (``"post"``, the default: what cuDNN accepts with a mask) or before (``"pre"``)
    the words.
    """
    _check_choice("padding", padding, PADDING_CHOICES)
    if max_length < 1:
        raise ValueError(f"max_length must be a positive integer, got {max_length}")
    return keras.utils.pad_sequences(list(sequences), maxlen=max_length, dtype="int32",
                                     padding=padding, truncating="pre")


def make_dataset(sequences: Sequence[np.ndarray], labels, *, batch_size: int,
                 max_length: int, padding: str = "post", bucket: bool = True,
                 shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of ``(ids (batch, time), labels (batch,))`` batches.

    ``bucket=False``: every batch is padded to ``max_length`` (``time = max_length``).
    ``bucket=True``: reviews are sorted by length and cut into batches, each padded only
    to its own longest review (at most ``max_length``), so a recurrent layer runs
    far fewer steps over padding; ``shuffle`` then shuffles the order of the batches (a
    fresh order every epoch). The members of each batch stay the same every epoch.

    Every sequence must hold at least one id: a row of padding alone would be fully
    masked, which cuDNN refuses, and a model could only answer it with its bias.
    """
    labels = np.asarray(labels, dtype=np.float32)
    if len(sequences) != len(labels):
        raise ValueError(f"{len(sequences)} sequences but {len(labels)} labels")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    _check_not_empty(sequences)
    if not bucket:
        dataset = tf.data.Dataset.from_tensor_slices(
            (pad(sequences, max_length, padding), labels))
        if shuffle:
            dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    lengths = np.minimum([len(s) for s in sequences], max_length)
    order = np.argsort(lengths, kind="stable")
    batches = []
    for start in range(0, len(order), batch_size):
        picked = order[start:start + batch_size]
        width = max(1, int(lengths[picked].max()))
        batches.append((pad([sequences[i] for i in picked], width, padding), labels[picked]))
    epoch = [0]

    def generate():
        rng = np.random.default_rng([seed, epoch[0]])
        epoch[0] += 1
        for index in (rng.permutation(len(batches)) if shuffle else range(len(batches))):
            yield batches[index]

    signature = (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.float32))
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # Every batch is known in advance: tell Keras how many there are per epoch.
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(batches)))
    return dataset.prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------------------------------
# Models


def recurrent_layer(kind: str, units: int):
    """A fresh recurrent layer by name: SimpleRNN, LSTM, GRU, or BiLSTM (bidirectional)."""
    _check_choice("kind", kind, RECURRENT_KINDS)
    if kind == "BiLSTM":
        return keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")
    return getattr(keras.layers, kind)(units, name=kind.lower())


def model_options(config: dict) -> dict:
    """The entries of ``config`` (e.g. ``FINAL``) that ``build_classifier`` takes."""
    return {key: value for key, value in config.items() if key in MODEL_OPTIONS}


def build_classifier(kind: str = "LSTM", *, vocab_size: int, embedding_dim: int, units: int,
                     mask_zero: bool = True, dropout: float = 0.0, word_dropout: float = 0.0,
                     learning_rate: float = 1e-3, learning_rate_decay: float | None = None,
                     clipnorm: float | None = None, ema_momentum: float | None = None,
                     steps_per_epoch: int | None = None) -> keras.Model:
    """Embedding → ``kind`` recurrent layer → Dense(1, sigmoid), compiled with Adam.

    Input: ids ``(batch, time)``; output: probability of "positive" ``(batch, 1)``.
    During training, ``dropout`` zeroes single embedding values and ``word_dropout``
    whole word vectors (the same word position in every feature). The optimizer: see
    ``compile_classifier``. A misspelled keyword raises ``TypeError``; to build from a
    whole configuration, use ``build_classifier(**model_options(FINAL), ...)``.
    """
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero,
                               name="embedding")(ids)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    if word_dropout:
        x = keras.layers.Dropout(word_dropout, noise_shape=(None, None, 1),
                                 name="word_dropout")(x)
    x = recurrent_layer(kind, units)(x)
    probability = keras.layers.Dense(1, activation="sigmoid", name="positive")(x)
    model = keras.Model(ids, probability, name=kind.lower() + "_classifier")
    compile_classifier(model, learning_rate, clipnorm=clipnorm, ema_momentum=ema_momentum,
                       learning_rate_decay=learning_rate_decay,
                       steps_per_epoch=steps_per_epoch)
    return model


def compile_classifier(model: keras.Model, learning_rate: float = 1e-3, *,
                       clipnorm: float | None = None, ema_momentum: float | None = None,
                       learning_rate_decay: float | None = None,
                       steps_per_epoch: int | None = None) -> keras.Model:
    """Adam on binary cross-entropy, reporting accuracy.

    ``clipnorm``: gradient clipping by the *global* norm: when the norm of all gradient
    tensors taken together exceeds it, every tensor is scaled by the same factor, so the
    update keeps its direction (Keras' ``global_clipnorm``). ``learning_rate_decay``: the
    learning rate is multiplied by this factor per epoch (smoothly, update by update).
    ``ema_momentum``: Adam also keeps an exponential moving average of the weights and, at
    the end of each epoch, *overwrites* the weights with that average, so training goes on
    from the average, and validation and the final model use averaged weights. The last
    two need ``steps_per_epoch``.
    """
    if (ema_momentum is not None or learning_rate_decay is not None) and not steps_per_epoch:
        raise ValueError("weight averaging (ema_momentum) and learning_rate_decay need "
                         "steps_per_epoch")
    if learning_rate_decay is not None:
        learning_rate = keras.optimizers.schedules.ExponentialDecay(
            learning_rate, decay_steps=steps_per_epoch, decay_rate=learning_rate_decay)
    optimizer = keras.optimizers.Adam(
        learning_rate, global_clipnorm=clipnorm, use_ema=ema_momentum is not None,
        # 0.0 is a valid momentum (the average is the latest weights: no averaging).
        ema_momentum=0.99 if ema_momentum is None else ema_momentum,
        ema_overwrite_frequency=steps_per_epoch)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def make_tfidf_baseline(texts: Sequence[str], vocab_size: int, *, ngrams: int = 2,
                        learning_rate: float = 1e-3,
                        batch_size: int = 1024) -> tuple[keras.layers.TextVectorization,
                                                         keras.Model]:
    """A linear model on tf-idf weights of words and word pairs: ``(vectorizer, model)``.

    The vectorizer maps strings ``(batch,)`` to tf-idf vectors ``(batch, vocab_size)``;
    the model is a single Dense(1, sigmoid) on them (logistic regression). Use
    ``tfidf_dataset`` to stream the vectors: a dense tf-idf matrix of the whole training
    set would take ``25,000 × vocab_size × 4`` bytes.
    """
    vectorizer = keras.layers.TextVectorization(max_tokens=vocab_size, ngrams=ngrams,
                                                output_mode="tf_idf")
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(list(texts)).batch(batch_size))
    features = keras.Input(shape=(vocab_size,), name="tfidf")
    probability = keras.layers.Dense(1, activation="sigmoid", name="positive")(features)
    model = keras.Model(features, probability, name="tfidf_logistic")
    compile_classifier(model, learning_rate)
    return vectorizer, model


def tfidf_dataset(vectorizer, texts: Sequence[str], labels, *, batch_size: int,
                  shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
    """Batches of ``(tf-idf (batch, vocab_size), labels (batch,))``, computed on the fly."""
    dataset = tf.data.Dataset.from_tensor_slices(
        (list(texts), np.asarray(labels, dtype=np.float32)))
    if shuffle:
        dataset = dataset.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)

    def vectorize(batch_texts, batch_labels):
        return vectorizer(batch_texts), batch_labels

    # A named function: AutoGraph cannot find a lambda's source in a chained call, and
    # says so in a warning on every use.
    return (dataset.batch(batch_size)
            .map(vectorize, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


def end_to_end(vectorizer, model: keras.Model, max_length: int) -> keras.Model:
    """A model from raw review strings ``(batch,)`` to probabilities ``(batch, 1)``.

    It chains ``CleanReviews`` (``<br />`` → space, as in the training text),
    ``vectorizer``, ``LastTokens(max_length)`` (the same truncation and padding as
    ``pad(..., "post")``) and the trained ``model``; it can be saved as ``.keras``.
    """
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) \
            or max_length < 1:
        raise ValueError(f"max_length must be a positive integer, got {max_length!r}")
    texts = keras.Input(shape=(), dtype="string", name="review")
    cleaned = CleanReviews(name="clean_reviews")(texts)
    ids = LastTokens(max_length, name="last_tokens")(vectorizer(cleaned))
    # The same layers and weights, without the training state (optimizer) of ``model``.
    classifier = keras.Model(model.inputs, model.outputs, name=model.name)
    return keras.Model(texts, classifier(ids), name="review_to_sentiment")


def predict_sentiment(model: keras.Model, texts) -> float | np.ndarray:
    """Probability that each review is positive, from a model that takes raw strings.

    ``texts``: one string (returns a float) or a list/tuple/1-d array of strings (returns
    a float array of the same length; an empty list gives an empty array). A review longer
    than the model's ``max_length`` is truncated to its last words. Raises ``TypeError``
    for anything that is not a string (a 0-d NumPy array included), and ``ValueError`` for
    text that is not valid Unicode (a lone surrogate) or a review with no words at all
    (empty, only spaces or punctuation): the model would answer with its bias alone, a
    number that means nothing.
    """
    single = isinstance(texts, str)
    if single:
        texts = [texts]
    elif isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise TypeError(f"texts is a {texts.ndim}-d NumPy array; pass one string, or a list "
                        "or 1-d array of strings (for a 0-d array: texts.item())")
    elif isinstance(texts, (bytes, dict)) or not isinstance(texts, (Sequence, np.ndarray)):
        raise TypeError("texts must be a string or a list of strings, got "
                        f"{type(texts).__name__}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"review {i} is a {type(text).__name__}, not a string: "
                            f"{text!r:.60}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(
                f"review {i} is not valid Unicode text: position {error.start} holds a lone "
                f"surrogate ({text[error.start]!r}), half of a character pair; decode the "
                "text again, e.g. with errors='replace'") from None
    if not texts:
        return np.zeros(0, dtype=np.float32)
    vectorizer = next((layer for layer in model.layers
                       if isinstance(layer, keras.layers.TextVectorization)), None)
    if vectorizer is None:
        raise TypeError("predict_sentiment needs a model that takes raw strings (with a "
                        "TextVectorization layer inside, see end_to_end), got "
                        f"{model.name!r}")
    cleaned = [clean_review(text) for text in texts]  # as CleanReviews does
    empty = [i for i, ids in enumerate(encode(vectorizer, cleaned)) if len(ids) == 0]
    if empty:
        raise ValueError(f"review(s) {empty[:5]} contain no words (empty, or only spaces "
                         "and punctuation); there is nothing to classify")
    probabilities = np.asarray(model.predict(tf.constant(texts), verbose=0),
                               dtype=np.float32).reshape(-1)
    return float(probabilities[0]) if single else probabilities


# ---------------------------------------------------------------------------------------
# Training and measuring


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of every training epoch in ``self.seconds``."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def early_stopping(patience: int = 1) -> keras.callbacks.EarlyStopping:
    """Stop when validation accuracy stops improving; keep the best epoch's weights."""
    return keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max",
                                         patience=patience, restore_best_weights=True)


def fit_recurrent(kind: str, fit: tuple, validation: tuple, *, config: dict,
                  epochs: int, seed: int = 0, padding: str = "post", mask_zero: bool = True,
                  bucket: bool = True, patience: int = 1):
    """Build and train ``build_classifier(kind, **model_options(config))``, as the chapter.

    ``config`` also gives ``batch_size`` and ``max_length`` (``FINAL`` has all the keys).

    ``fit`` and ``validation`` are ``(sequences, labels)`` pairs; training stops early when
    validation accuracy stops improving (the best epoch's weights are kept). Returns
    ``(model, history, timer)``; ``timer.seconds`` holds each epoch's wall time.
    """
    batches = {"batch_size": config["batch_size"], "max_length": config["max_length"],
               "padding": padding, "bucket": bucket}
    fit_data = make_dataset(*fit, shuffle=True, seed=seed, **batches)
    validation_data = make_dataset(*validation, **batches)
    keras.utils.set_random_seed(seed)
    model = build_classifier(kind, mask_zero=mask_zero,
                             steps_per_epoch=int(fit_data.cardinality()),
                             **model_options(config))
    timer = EpochTimer()
    # shuffle=False: the pipeline shuffles itself (Keras would warn that it cannot).
    history = model.fit(fit_data, validation_data=validation_data, epochs=epochs, verbose=0,
                        shuffle=False, callbacks=[early_stopping(patience), timer])
    return model, history, timer


def fit_tfidf(fit: tuple, validation: tuple, *, vocab_size: int, epochs: int,
              batch_size: int, seed: int = 0, ngrams: int = 2, learning_rate: float = 1e-3,
              patience: int = 1):
    """Adapt and train the tf-idf baseline on ``(texts, labels)`` pairs, like ``fit_recurrent``.

    Returns ``(vectorizer, model, history, timer)``.
    """
    keras.utils.set_random_seed(seed)
    vectorizer, model = make_tfidf_baseline(fit[0], vocab_size, ngrams=ngrams,
                                            learning_rate=learning_rate)
    fit_data = tfidf_dataset(vectorizer, *fit, batch_size=batch_size, shuffle=True, seed=seed)
    validation_data = tfidf_dataset(vectorizer, *validation, batch_size=batch_size)
    timer = EpochTimer()
    history = model.fit(fit_data, validation_data=validation_data, epochs=epochs, verbose=0,
                        shuffle=False, callbacks=[early_stopping(patience), timer])
    return vectorizer, model, history, timer


def predict_probabilities(model: keras.Model, sequences: Sequence[np.ndarray], *,
                          max_length: int, batch_size: int = 256,
                          padding: str = "post") -> np.ndarray:
    """The model's probability for every sequence, in the order given: ``(len(sequences),)``.

    The sequences are batched by length (as in training) and the results put back in order.
    """
    _check_not_empty(sequences)
    lengths = np.minimum([len(s) for s in sequences], max_length)
    order = np.argsort(lengths, kind="stable")
    probabilities = np.empty(len(sequences), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        picked = order[start:start + batch_size]
        width = max(1, int(lengths[picked].max()))
        ids = pad([sequences[i] for i in picked], width, padding)
        probabilities[picked] = np.asarray(model.predict_on_batch(ids)).reshape(-1)
    return probabilities


def accuracy(model: keras.Model, dataset) -> float:
    """Fraction of correct predictions (probability > 0.5 means positive) on a dataset."""
    correct = total = 0
    for inputs, labels in dataset:
        predicted = np.asarray(model.predict_on_batch(inputs)).reshape(-1) > 0.5
        correct += int(np.sum(predicted == (np.asarray(labels).reshape(-1) > 0.5)))
        total += len(predicted)
    return correct / total


def parameter_count(model: keras.Model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def mcnemar_p_value(correct_a, correct_b) -> float:
    """Exact two-sided McNemar test: could models a and b be equally accurate?

    ``correct_a``, ``correct_b``: booleans ``(n,)``, whether each model got each of the
    same ``n`` examples right. Only the examples on which they disagree count: if both
    models were equally accurate, each disagreement would go either way with probability
    1/2, so the number won by a is binomial(disagreements, 1/2). Returns the probability
    of a split at least as uneven as the observed one (1.0 when they never disagree; 0.0
    when it is below the smallest float, about 1e-308).
    """
    correct_a = np.asarray(correct_a, dtype=bool)
    correct_b = np.asarray(correct_b, dtype=bool)
    if correct_a.shape != correct_b.shape or correct_a.ndim != 1:
        raise ValueError(f"need two 1-d arrays of the same length, got shapes "
                         f"{correct_a.shape} and {correct_b.shape}")
    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(~correct_a & correct_b))
    n, fewer = only_a + only_b, min(only_a, only_b)
    if n == 0:
        return 1.0
    # P(X <= fewer) for X ~ binomial(n, 1/2), summed in log space (n can be thousands).
    log_terms = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                 - n * math.log(2) for k in range(fewer + 1)]
    top = max(log_terms)
    tail = math.exp(top) * sum(math.exp(t - top) for t in log_terms)
    return min(1.0, 2 * tail)


def combine_probabilities(probabilities_a, probabilities_b, weight: float) -> np.ndarray:
    """The weighted average ``weight * a + (1 - weight) * b`` of two models' probabilities.

    ``probabilities_a``, ``probabilities_b``: ``(n,)``, each model's probability that each
    of the same ``n`` reviews is positive; ``weight`` in [0, 1] is model a's share.
    """
    a = np.asarray(probabilities_a, dtype=np.float64).reshape(-1)
    b = np.asarray(probabilities_b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"need probabilities for the same reviews, got {a.size} and {b.size}")
    if isinstance(weight, bool) or not 0 <= weight <= 1:
        raise ValueError(f"weight must be a number in [0, 1], got {weight!r}")
    return weight * a + (1 - weight) * b


def choose_combination_weight(probabilities_a, probabilities_b, labels, *,
                              grid: int = 21) -> float:
    """Model a's share of the average that fits ``labels`` best: choose it on validation data.

    Tries ``grid`` evenly spaced weights from 0 (model b alone) to 1 (model a alone) and
    returns the one whose ``combine_probabilities`` has the lowest binary cross-entropy on
    ``labels`` (0/1, ``(n,)``); the first one wins a tie.
    """
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    if grid < 2:
        raise ValueError(f"grid must be at least 2 (the two models alone), got {grid}")
    weights = np.linspace(0.0, 1.0, grid)
    losses = []
    for weight in weights:
        p = np.clip(combine_probabilities(probabilities_a, probabilities_b, weight),
                    1e-7, 1 - 1e-7)
        if p.shape != labels.shape:
            raise ValueError(f"{p.size} probabilities but {labels.size} labels")
        losses.append(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))
    return float(weights[int(np.argmin(losses))])

def _check_not_empty(sequences) -> None:
    empty = [i for i, s in enumerate(sequences) if len(s) == 0]
    if empty:
        raise ValueError(
            f"sequence(s) {empty[:5]} hold no ids (a review with no words): padded, such a "
            "row would be all padding, which a masked LSTM or GRU on a GPU (cuDNN) refuses "
            "and a model can only answer with its bias. Leave those reviews out.")


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, "
                         f"got {value!r}")

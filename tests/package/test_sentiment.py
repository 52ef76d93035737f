"""rnncourse.sentiment: padding, batching, the raw-text model and predict_sentiment."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from rnncourse import sentiment

TEXTS = [
    "a wonderful film with a superb cast",
    "a dull film with a terrible script",
    "the acting is superb and the story is wonderful",
    "terrible acting and a dull story",
    "one of the best films of the year",
    "one of the worst films i have ever seen",
]


@pytest.fixture(scope="module")
def vectorizer():
    return sentiment.make_vectorizer(TEXTS, vocab_size=40)


@pytest.fixture(scope="module")
def reviewer(vectorizer):
    """An untrained end-to-end model: strings in, probabilities out, at most 5 tokens."""
    keras.utils.set_random_seed(0)
    model = sentiment.build_classifier("LSTM", vocab_size=40, embedding_dim=4, units=3)
    return sentiment.end_to_end(vectorizer, model, max_length=5)


def test_pad_keeps_the_end_and_pads_either_side():
    sequences = [np.array([5, 6, 7, 8, 9]), np.array([3, 4])]
    np.testing.assert_array_equal(sentiment.pad(sequences, 3), [[7, 8, 9], [3, 4, 0]])
    np.testing.assert_array_equal(sentiment.pad(sequences, 3, "pre"), [[7, 8, 9], [0, 3, 4]])
    np.testing.assert_array_equal(sentiment.pad(sequences, 3, "post"), [[7, 8, 9], [3, 4, 0]])
    with pytest.raises(ValueError, match="padding must be one of"):
        sentiment.pad(sequences, 3, "middle")


def test_encode_drops_padding_and_decode_gives_the_words_back(vectorizer):
    sequences = sentiment.encode(vectorizer, ["A wonderful film!", "superb"], batch_size=1)
    assert [len(s) for s in sequences] == [3, 1]
    assert all(s.dtype == np.int32 and np.all(s > 0) for s in sequences)
    assert sentiment.decode(vectorizer, sequences[0]) == "a wonderful film"
    assert sentiment.decode(vectorizer, sentiment.encode(vectorizer, ["zebra"])[0]) == "[UNK]"


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_bucketed_batches_hold_every_review_once_with_its_label(padding):
    rng = np.random.default_rng(0)
    sequences = [rng.integers(1, 50, size=n) for n in rng.integers(1, 30, size=53)]
    labels = np.arange(53) % 2
    dataset = sentiment.make_dataset(sequences, labels, batch_size=8, max_length=20,
                                     padding=padding, shuffle=True, seed=1)
    assert int(dataset.cardinality()) == 7
    seen = {}
    for ids, batch_labels in dataset:
        assert ids.shape[1] <= 20
        for row, label in zip(ids.numpy(), batch_labels.numpy(), strict=True):
            seen[tuple(row[row != 0])] = label
    expected = {tuple(s[-20:]): float(y) for s, y in zip(sequences, labels, strict=True)}
    assert seen == expected
    widths = [ids.shape[1] for ids, _ in dataset]
    assert sum(widths) < 7 * 20  # bucketing pads less than fixed-length batches


def test_shuffled_buckets_change_order_between_epochs():
    sequences = [np.arange(1, n + 1) for n in range(1, 41)]
    dataset = sentiment.make_dataset(sequences, np.zeros(40), batch_size=4, max_length=50,
                                     shuffle=True)
    first = [ids.shape[1] for ids, _ in dataset]
    second = [ids.shape[1] for ids, _ in dataset]
    assert sorted(first) == sorted(second) and first != second


def test_shuffled_buckets_keep_their_members_between_epochs():
    """The chapter says so: only the order of the batches changes, not who shares one."""
    rng = np.random.default_rng(2)
    sequences = [rng.integers(1, 50, size=n) for n in rng.integers(1, 30, size=40)]
    dataset = sentiment.make_dataset(sequences, np.zeros(40), batch_size=4, max_length=50,
                                     shuffle=True)

    def members():
        return {frozenset(tuple(row[row != 0]) for row in ids.numpy()) for ids, _ in dataset}

    assert members() == members()


def test_batches_refuse_a_sequence_without_ids():
    with pytest.raises(ValueError, match=r"sequence\(s\) \[1\] hold no ids.*cuDNN"):
        sentiment.make_dataset([np.array([1, 2]), np.array([], dtype=np.int32)], [1, 0],
                               batch_size=2, max_length=4)


def test_fixed_length_batches():
    dataset = sentiment.make_dataset([np.array([1, 2]), np.array([3])], [1, 0], batch_size=2,
                                     max_length=6, bucket=False)
    ids, labels = next(iter(dataset))
    assert ids.shape == (2, 6)


def test_last_tokens_layer_equals_post_padding():
    rng = np.random.default_rng(1)
    sequences = [rng.integers(1, 9, size=n) for n in [0, 1, 3, 5, 7, 12]]
    post_padded = sentiment.pad(sequences, 12, "post")
    got = np.asarray(sentiment.LastTokens(5)(post_padded))
    np.testing.assert_array_equal(got, sentiment.pad(sequences, 5, "post"))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_last_tokens_and_end_to_end_need_a_positive_max_length(vectorizer, bad):
    with pytest.raises(ValueError, match="max_length must be a positive integer"):
        sentiment.LastTokens(bad)
    model = sentiment.build_classifier("GRU", vocab_size=40, embedding_dim=3, units=2)
    with pytest.raises(ValueError, match="max_length must be a positive integer"):
        sentiment.end_to_end(vectorizer, model, max_length=bad)


@pytest.mark.parametrize("kind, recurrent_parameters", [
    ("SimpleRNN", 3 * (4 + 3) + 3), ("LSTM", 4 * (3 * (4 + 3) + 3)),
    ("GRU", 3 * (3 * (4 + 3) + 2 * 3)), ("BiLSTM", 2 * 4 * (3 * (4 + 3) + 3))])
def test_build_classifier_parameter_counts(kind, recurrent_parameters):
    model = sentiment.build_classifier(kind, vocab_size=10, embedding_dim=4, units=3)
    output_units = 6 if kind == "BiLSTM" else 3
    assert model.count_params() == 10 * 4 + recurrent_parameters + output_units + 1
    assert model.output.shape == (None, 1)


def test_build_classifier_accepts_the_final_configuration():
    options = sentiment.model_options(sentiment.FINAL)
    model = sentiment.build_classifier("LSTM", steps_per_epoch=10, **options)
    assert model.get_layer("embedding").input_dim == sentiment.FINAL["vocab_size"]
    assert model.optimizer.use_ema and model.optimizer.ema_overwrite_frequency == 10
    with pytest.raises(ValueError, match="need steps_per_epoch"):
        sentiment.build_classifier("LSTM", **options)


def test_build_classifier_refuses_a_misspelled_keyword():
    with pytest.raises(TypeError, match="unexpected keyword argument 'unit'"):
        sentiment.build_classifier("LSTM", vocab_size=10, embedding_dim=4, unit=3)
    with pytest.raises(TypeError, match="unexpected keyword"):  # batch_size, max_length
        sentiment.build_classifier("LSTM", steps_per_epoch=10, **sentiment.FINAL)


def test_clipping_uses_the_global_norm():
    """clipnorm scales all gradient tensors by one factor (Keras' global_clipnorm)."""
    model = sentiment.build_classifier("LSTM", vocab_size=10, embedding_dim=4, units=3,
                                       clipnorm=1.0)
    assert model.optimizer.global_clipnorm == 1.0 and model.optimizer.clipnorm is None
    gradients = [tf.constant([3.0, 4.0]), tf.constant([0.0, 0.1])]
    clipped = model.optimizer._clip_gradients(gradients)
    total = np.sqrt(sum(float(tf.reduce_sum(g ** 2)) for g in clipped))
    assert total == pytest.approx(1.0, rel=1e-5)
    # Same direction: the small tensor is scaled like the large one, not left alone.
    np.testing.assert_allclose(clipped[1] / clipped[0][1], gradients[1] / 4.0, rtol=1e-5)


def test_tfidf_baseline_streams_vectors_of_the_vocabulary_size():
    vectorizer, model = sentiment.make_tfidf_baseline(TEXTS, vocab_size=30)
    dataset = sentiment.tfidf_dataset(vectorizer, TEXTS, np.arange(6) % 2, batch_size=4)
    features, labels = next(iter(dataset))
    assert features.shape == (4, 30) and labels.shape == (4,)
    assert model(features).shape == (4, 1)


def test_predict_probabilities_keeps_the_input_order():
    keras.utils.set_random_seed(0)
    model = sentiment.build_classifier("GRU", vocab_size=20, embedding_dim=3, units=2)
    sequences = [np.array([1, 2, 3, 4]), np.array([5]), np.array([6, 7])]
    got = sentiment.predict_probabilities(model, sequences, max_length=10, batch_size=2)
    one_by_one = [float(model(sentiment.pad([s], 10))[0, 0]) for s in sequences]
    np.testing.assert_allclose(got, one_by_one, rtol=1e-5)


# --- predict_sentiment ---------------------------------------------------------------

def test_predict_sentiment_single_string_and_list(reviewer):
    single = sentiment.predict_sentiment(reviewer, TEXTS[0])
    assert isinstance(single, float) and 0 < single < 1
    several = sentiment.predict_sentiment(reviewer, TEXTS[:3])
    assert several.shape == (3,)
    np.testing.assert_allclose(several[0], single, rtol=1e-6)
    as_tuple = sentiment.predict_sentiment(reviewer, tuple(TEXTS[:3]))
    np.testing.assert_allclose(as_tuple, several, rtol=1e-6)


@pytest.mark.parametrize("empty", ["", "   ", "?! ...", ["fine film", ""]])
def test_predict_sentiment_rejects_reviews_without_words(reviewer, empty):
    with pytest.raises(ValueError, match="contain no words"):
        sentiment.predict_sentiment(reviewer, empty)


def test_predict_sentiment_truncates_a_very_long_review(reviewer):
    ending = "a dull film with"  # the last 5 tokens the model reads: "dull film with" + 2
    long_review = "wonderful superb best " * 20_000 + "a terrible script " + ending
    got = sentiment.predict_sentiment(reviewer, long_review)
    assert 0 < got < 1
    short = sentiment.predict_sentiment(reviewer, "terrible script " + ending)
    assert got == pytest.approx(short, rel=1e-6)


@pytest.mark.parametrize("bad", [42, None, b"a bytes review", ["ok film", 3.5],
                                 {"text": "a film"}, np.array("a fine film"),
                                 np.array([["a film"]])])
def test_predict_sentiment_rejects_non_strings(reviewer, bad):
    with pytest.raises(TypeError, match="string"):
        sentiment.predict_sentiment(reviewer, bad)


@pytest.mark.parametrize("bad", ["a fine \ud800 film", ["ok film", "\udfff"]])
def test_predict_sentiment_rejects_a_lone_surrogate(reviewer, bad):
    with pytest.raises(ValueError, match="not valid Unicode.*lone surrogate"):
        sentiment.predict_sentiment(reviewer, bad)


def test_raw_imdb_line_breaks_are_cleaned_as_in_training(reviewer):
    """load_imdb turns "<br />" into a space; the raw-text model must do the same."""
    raw = "a dull film<br /><br />terrible script<BR>superb"
    clean = "a dull film  terrible script superb"
    assert sentiment.predict_sentiment(reviewer, raw) == pytest.approx(
        sentiment.predict_sentiment(reviewer, clean), rel=1e-6)
    with pytest.raises(ValueError, match="contain no words"):
        sentiment.predict_sentiment(reviewer, "<br /><br />")


@pytest.mark.parametrize("text", [
    "a<br />b", "a<br/>b<BR>c", "a<Br  />b <br>", "no tags", "a<br\t\n\f\r />b",
    # Whitespace that Python's \s matches and RE2's (TensorFlow's) does not: one definition
    # of a line break for both, or a user's review is cleaned one way in training, another
    # in the saved model.
    "a<br\v/>b", "a<br\u00a0/>b", "a<br\u2028/>b", "a<br\x85/>b", "a<br\u3000>b"])
def test_clean_reviews_layer_equals_the_loaders_cleaning(text):
    from rnncourse.data import clean_review

    got = sentiment.CleanReviews()(tf.constant([text])).numpy()[0].decode()
    assert got == clean_review(text)


def test_mcnemar_exact_p_values():
    right = np.ones(10, dtype=bool)
    assert sentiment.mcnemar_p_value(right, right) == 1.0  # never disagree
    # b right where a is wrong on 9 reviews, a right where b is wrong on 1:
    a = np.array([True] + [False] * 9 + [True] * 5)
    b = np.array([False] + [True] * 9 + [True] * 5)
    assert sentiment.mcnemar_p_value(a, b) == pytest.approx(2 * 11 / 1024)
    assert sentiment.mcnemar_p_value(b, a) == pytest.approx(2 * 11 / 1024)
    assert sentiment.mcnemar_p_value(a[:2], b[:2]) == 1.0  # a 1:1 split
    big = np.arange(20_000) % 2 == 0  # 10,000 : 10,000 disagreements
    assert sentiment.mcnemar_p_value(big, ~big) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same length"):
        sentiment.mcnemar_p_value(a, b[:3])


def test_predict_sentiment_of_an_empty_list_is_an_empty_array(reviewer):
    got = sentiment.predict_sentiment(reviewer, [])
    assert isinstance(got, np.ndarray) and got.shape == (0,)


def test_predict_sentiment_needs_a_raw_text_model():
    model = sentiment.build_classifier("GRU", vocab_size=20, embedding_dim=3, units=2)
    with pytest.raises(TypeError, match="raw strings"):
        sentiment.predict_sentiment(model, "a film")


@pytest.mark.slow
def test_end_to_end_model_round_trips_through_a_keras_file(reviewer, tmp_path):
    path = tmp_path / "reviewer.keras"
    reviewer.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(tf.constant(TEXTS), verbose=0),
                               reviewer.predict(tf.constant(TEXTS), verbose=0), rtol=1e-6)
    assert sentiment.predict_sentiment(reloaded, TEXTS[1]) == pytest.approx(
        sentiment.predict_sentiment(reviewer, TEXTS[1]), rel=1e-6)


def test_words_with_odd_line_breaks_are_dropped_so_the_model_loads(tmp_path):
    texts = ["a fine film \x85 really", "a dull film \u2028 truly", "fine fine film"]
    vectorizer = sentiment.make_vectorizer(texts, vocab_size=20)
    vocabulary = vectorizer.get_vocabulary()
    assert "\x85" not in vocabulary and "\u2028" not in vocabulary
    assert vocabulary[:2] == ["", "[UNK]"] and "film" in vocabulary
    model = sentiment.build_classifier("GRU", vocab_size=20, embedding_dim=3, units=2)
    reviewer = sentiment.end_to_end(vectorizer, model, max_length=4)
    reviewer.save(tmp_path / "odd.keras")
    reloaded = keras.models.load_model(tmp_path / "odd.keras")
    assert sentiment.predict_sentiment(reloaded, texts[0]) == pytest.approx(
        sentiment.predict_sentiment(reviewer, texts[0]), rel=1e-6)

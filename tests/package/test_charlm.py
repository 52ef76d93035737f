"""rnncourse.charlm: vocabulary, windows, streams, the n-gram baseline, temperature."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from rnncourse.charlm import (
    SEPARATOR,
    SHOWN_UNKNOWN,
    UNKNOWN,
    CharKneserNey,
    CharNgram,
    CharVocabulary,
    bits_per_char,
    encode_reviews,
    entropy_bits,
    parallel_streams,
    perplexity,
    softmax_with_temperature,
    teacher_forcing_windows,
)

TEXTS = ["A cat sat.", "the cat ate a hat", "Zebra!"]


def test_vocabulary_orders_by_frequency_and_reserves_two_ids():
    vocabulary = CharVocabulary.from_texts(TEXTS)
    assert vocabulary.chars[:2] == (UNKNOWN, SEPARATOR)
    assert vocabulary.chars[2] == "a" and vocabulary.chars[3] == " "  # most frequent first
    assert "A" not in vocabulary.chars  # lower-cased
    assert len(vocabulary) == len(set("".join(TEXTS).lower())) + 2


def test_rare_characters_become_unknown_and_decode_shows_them():
    vocabulary = CharVocabulary.from_texts(TEXTS, min_count=2)
    assert "z" not in vocabulary.chars and "!" not in vocabulary.chars
    ids = vocabulary.encode("zebra!")
    assert ids[0] == 0 and ids[-1] == 0
    u = SHOWN_UNKNOWN  # b, r, z and ! occur once each
    assert vocabulary.decode(ids) == f"{u}e{u}{u}a{u}"
    assert vocabulary.decode(vocabulary.encode("the cat")) == "the cat"


def test_vocabulary_refuses_bad_arguments():
    with pytest.raises(ValueError, match="min_count"):
        CharVocabulary.from_texts(TEXTS, min_count=0)
    with pytest.raises(ValueError, match="UNKNOWN"):
        CharVocabulary(["a", "b"])


def test_encode_reviews_separates_reviews():
    vocabulary = CharVocabulary.from_texts(TEXTS)
    ids = encode_reviews(TEXTS, vocabulary)
    assert len(ids) == sum(len(t) for t in TEXTS) + len(TEXTS)
    assert np.count_nonzero(ids == 1) == len(TEXTS) and ids[-1] == 1
    assert vocabulary.decode(ids).split("\n")[:-1] == [t.lower() for t in TEXTS]


def test_teacher_forcing_targets_are_inputs_shifted_by_one():
    ids = np.arange(23)
    x, y = teacher_forcing_windows(ids, 5)
    assert x.shape == y.shape == (4, 5)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x[:, 0], [0, 5, 10, 15])
    x2, _ = teacher_forcing_windows(ids, 5, step=2)
    np.testing.assert_array_equal(x2[:, 0], np.arange(0, 18, 2))


def test_parallel_streams_continue_from_chunk_to_chunk():
    ids = np.arange(101)
    x, y = parallel_streams(ids, batch=4, chunk=6)
    assert x.shape == y.shape == (4, 4, 6)  # 25 per stream -> 4 chunks of 6
    np.testing.assert_array_equal(y, x + 1)
    for b in range(4):
        stream = np.concatenate([x[j, b] for j in range(4)])
        np.testing.assert_array_equal(stream, np.arange(b * 25, b * 25 + 24))
    with pytest.raises(ValueError, match="too few"):
        parallel_streams(np.arange(5), batch=4, chunk=6)


def naive_witten_bell(train, order, vocab_size, history, w):
    """Direct, loop-based Witten-Bell interpolation, for comparison."""
    def prob(context):
        if len(context) == 0:
            lower = 1.0 / vocab_size
            counts = Counter(train)
        else:
            lower = prob(context[1:])
            k = len(context)
            counts = Counter(train[i + k] for i in range(len(train) - k)
                             if tuple(train[i:i + k]) == tuple(context))
        total = sum(counts.values())
        if total == 0:
            return lower
        distinct = len(counts)
        return (counts[w] + distinct * lower) / (total + distinct)

    return prob(history[-(order - 1):] if order > 1 else [])


def test_ngram_equals_a_direct_witten_bell_implementation():
    rng = np.random.default_rng(0)
    train = list(rng.integers(0, 4, size=200))
    test = list(rng.integers(0, 5, size=30))  # id 4 never occurs in training
    model = CharNgram(3, 5).fit(np.array(train))
    got = model.probabilities(np.array(test))
    for i in range(len(test)):
        history = test[max(0, i - 2):i]
        expected = naive_witten_bell(train, min(3, len(history) + 1), 5, history, test[i])
        assert got[i] == pytest.approx(expected, rel=1e-12), i


def test_ngram_probabilities_sum_to_one_over_the_vocabulary():
    rng = np.random.default_rng(1)
    vocab_size = 6
    model = CharNgram(4, vocab_size).fit(rng.integers(0, vocab_size, size=500))
    context = list(rng.integers(0, vocab_size, size=3))
    total = sum(model.probabilities(np.array(context + [w]))[-1] for w in range(vocab_size))
    assert total == pytest.approx(1.0)


def test_ngram_context_counts():
    model = CharNgram(3, 3).fit(np.array([0, 1, 0, 1, 2]))  # contexts 01 twice, 10 once
    np.testing.assert_array_equal(model.context_counts(np.array([0, 1, 0, 1, 2, 2])),
                                  [-1, -1, 2, 1, 2, 0])


def test_ngram_learns_a_deterministic_sequence():
    ids = np.tile(np.arange(5), 200)
    bits = {order: CharNgram(order, 5).fit(ids).bits_per_char(ids) for order in (1, 2)}
    assert bits[1] == pytest.approx(math.log2(5), abs=0.01)
    assert bits[2] < 0.1


def test_ngram_refuses_bad_use():
    with pytest.raises(ValueError):
        CharNgram(0, 5)
    with pytest.raises(ValueError, match="outside"):
        CharNgram(2, 3).fit(np.array([0, 1, 5]))
    with pytest.raises(RuntimeError, match="fit"):
        CharNgram(2, 3).probabilities(np.array([0, 1]))
    with pytest.raises(ValueError, match="64-bit"):
        CharNgram(40, 100)


def test_units():
    assert bits_per_char(math.log(2)) == pytest.approx(1.0)
    assert perplexity(3.0) == pytest.approx(8.0)


def test_temperature():
    logits = np.array([[2.0, 1.0, 0.0, -1.0]])
    p1 = softmax_with_temperature(logits, 1.0)
    np.testing.assert_allclose(p1, np.exp(logits) / np.exp(logits).sum())
    entropies = [float(entropy_bits(softmax_with_temperature(logits, t))[0])
                 for t in (0.1, 0.5, 1.0, 2.0, 100.0)]
    assert entropies == sorted(entropies)
    assert entropies[0] < 0.01 and entropies[-1] == pytest.approx(2.0, abs=0.01)
    assert np.isfinite(softmax_with_temperature(np.array([1000.0, 0.0]), 0.01)).all()
    with pytest.raises(ValueError, match="positive"):
        softmax_with_temperature(logits, 0.0)
    assert entropy_bits(np.array([1.0, 0.0])) == 0.0


# --- bad input gets a clear error (issue 21, item 15) -----------------------------------------

def test_softmax_survives_a_tiny_temperature_and_an_infinite_logit():
    logits = np.array([2.0, 1.0, -np.inf])
    np.testing.assert_array_equal(softmax_with_temperature(logits, 1e-310), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(softmax_with_temperature([np.inf, 0.0, np.inf], 1.0),
                                  [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(softmax_with_temperature([[np.inf, 3.0]], 0.5), [[1.0, 0.0]])
    with pytest.raises(ValueError, match="NaN"):
        softmax_with_temperature([np.nan, 0.0], 1.0)
    with pytest.raises(ValueError, match="-inf"):
        softmax_with_temperature([-np.inf, -np.inf], 1.0)


@pytest.mark.parametrize("temperature", [None, "1", True, np.inf, np.nan, -1.0])
def test_softmax_names_a_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature"):
        softmax_with_temperature([1.0, 0.0], temperature)


def test_ngram_probabilities_refuse_ids_outside_the_vocabulary():
    model = CharNgram(2, 3).fit(np.array([0, 1, 2, 1]))
    for bad in ([0, 3], [-1, 0]):
        with pytest.raises(ValueError, match="outside the vocabulary"):
            model.probabilities(np.array(bad))


@pytest.mark.parametrize("batch, chunk, name", [(0, 5, "batch"), (4, 0, "chunk"),
                                                (2.5, 5, "batch"), (4, -1, "chunk")])
def test_parallel_streams_names_a_bad_batch_or_chunk(batch, chunk, name):
    with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
        parallel_streams(np.arange(100), batch=batch, chunk=chunk)


def test_decode_refuses_ids_outside_the_alphabet():
    vocabulary = CharVocabulary.from_texts(TEXTS)
    for bad in ([-1], [2, len(vocabulary)]):
        with pytest.raises(ValueError, match="outside the vocabulary"):
            vocabulary.decode(bad)
    assert vocabulary.decode(3) == vocabulary.chars[3]  # a single id is fine


@pytest.mark.parametrize("length, step, name", [(2.5, None, "length"), (5, 1.5, "step"),
                                                (0, None, "length")])
def test_windows_name_a_non_integer_length_or_step(length, step, name):
    with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
        teacher_forcing_windows(np.arange(20), length, step)


@pytest.mark.parametrize("order", [2.5, 0, True])
def test_ngram_order_must_be_a_positive_integer(order):
    with pytest.raises(ValueError, match="order must be a positive integer"):
        CharNgram(order, 5)


# --- the Kneser-Ney baseline ---------------------------------------------------------------

def test_kneser_ney_equals_hand_computed_probabilities():
    # Training text "aabac" (a=0, b=1, c=2), bigrams, D = 1/2. Continuation counts:
    # a follows {a, b}, b follows {a}, c follows {a}: 2, 1, 1 of 4, three types, so
    # P1(a) = 1.5/4 + 0.5*3/4 * 1/3 = 1/2 and P1(b) = P1(c) = 1/4.
    # Context a (aa, ab, ac once each): P(a|a) = 0.5/3 + 0.5 * 1/2 = 5/12,
    # P(b|a) = 0.5/3 + 0.5 * 1/4 = 7/24. Context b (ba once): P(b|b) = 0.5 * 1/4 = 1/8,
    # P(c|b) = 1/8. Context c was never seen before anything: P(a|c) = P1(a) = 1/2.
    model = CharKneserNey(2, 3, discount=0.5).fit(np.array([0, 0, 1, 0, 2]))
    got = model.probabilities(np.array([0, 0, 1, 1, 2, 0]))
    np.testing.assert_allclose(got, [1 / 2, 5 / 12, 7 / 24, 1 / 8, 1 / 8, 1 / 2], rtol=1e-12)


def test_kneser_ney_estimates_its_discount_from_counts_of_counts():
    model = CharKneserNey(2, 3).fit(np.array([0, 0, 1, 0, 2, 2]))
    # unigram continuation counts: a follows {a, b}, b follows {a}, c follows {a, c}: 2, 1, 2,
    # so n1 = 1 and n2 = 2; the five bigrams are seen once each (n1 = 5, n2 = 0): clipped
    assert model.discounts == [pytest.approx(1 / (1 + 2 * 2)), 0.95]


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_kneser_ney_probabilities_sum_to_one_in_every_context(order):
    rng = np.random.default_rng(order)
    vocab_size = 5
    model = CharKneserNey(order, vocab_size).fit(rng.integers(0, 4, size=300))  # id 4 unseen
    for _ in range(20):
        context = list(rng.integers(0, vocab_size, size=order - 1))
        streams = np.array([context + [w] for w in range(vocab_size)])
        total = sum(model.probabilities(s)[-1] for s in streams)
        assert total == pytest.approx(1.0, abs=1e-12)
        assert all(model.probabilities(s)[-1] > 0 for s in streams)


def naive_kneser_ney(train, order, vocab_size, discounts, history, w):
    """Loop-based interpolated Kneser-Ney, straight from the formula, for comparison."""
    grams = {k: Counter(tuple(train[i:i + k + 1]) for i in range(len(train) - k))
             for k in range(order)}

    def count(k, gram):  # plain counts at the highest order, continuation counts below
        if k == order - 1:
            return grams[k][gram]
        return sum(1 for g in grams[k + 1] if g[1:] == gram)

    def prob(context, w):
        k = len(context)
        lower = 1.0 / vocab_size if k == 0 else prob(context[1:], w)
        counts = {v: count(k, (*context, v)) for v in range(vocab_size)}
        total = sum(counts.values())
        if total == 0:
            return lower
        types = sum(1 for c in counts.values() if c > 0)
        d = discounts[k]
        return max(counts[w] - d, 0) / total + d * types / total * lower

    return prob(tuple(history), w)


def test_kneser_ney_equals_a_direct_implementation():
    rng = np.random.default_rng(4)
    train = [int(i) for i in rng.integers(0, 4, size=150)]
    test = [int(i) for i in rng.integers(0, 5, size=25)]
    model = CharKneserNey(3, 5).fit(np.array(train))
    got = model.probabilities(np.array(test))
    for i in range(2, len(test)):
        expected = naive_kneser_ney(train, 3, 5, model.discounts, test[i - 2:i], test[i])
        assert got[i] == pytest.approx(expected, rel=1e-12), i


def test_kneser_ney_refuses_bad_use():
    with pytest.raises(ValueError, match="order must be a positive integer"):
        CharKneserNey(2.5, 5)
    with pytest.raises(ValueError, match="discount"):
        CharKneserNey(2, 5, discount=1.5)
    with pytest.raises(RuntimeError, match="fit"):
        CharKneserNey(2, 3).probabilities(np.array([0, 1]))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        CharKneserNey(2, 3).fit(np.array([0, 1, 2])).probabilities(np.array([3]))


# --- bad input that still escaped after item 15 ------------------------------------------------

@pytest.mark.parametrize("model", [CharNgram, CharKneserNey])
def test_a_huge_order_is_refused_at_once(model):
    # vocab_size ** order was computed exactly: an order of 10**30 never finished.
    with pytest.raises(ValueError, match="order too high"):
        model(10**30, 5)
    with pytest.raises(ValueError, match="order too high"):
        model(2, 2**62)


def test_softmax_names_a_temperature_or_logits_it_cannot_use():
    with pytest.raises(ValueError, match="temperature must be positive and finite"):
        softmax_with_temperature([1.0, 0.0], 10**400)  # no float holds it
    with pytest.raises(ValueError, match="at least one logit"):
        softmax_with_temperature(np.zeros((2, 0)), 1.0)
    for bad in (None, ["a", 1.0], [[1.0], [1.0, 2.0]]):
        with pytest.raises(ValueError, match="logits must be numbers"):
            softmax_with_temperature(bad, 1.0)


def test_a_stream_of_ids_must_be_one_dimensional():
    grid = np.arange(16).reshape(4, 4) % 3
    model = CharNgram(2, 3).fit(np.array([0, 1, 2, 1]))
    for call in (lambda: model.probabilities(grid), lambda: CharNgram(2, 3).fit(grid),
                 lambda: CharVocabulary.from_texts(TEXTS).decode(grid),
                 lambda: parallel_streams(grid, batch=2, chunk=2),
                 lambda: teacher_forcing_windows(grid, 2)):
        with pytest.raises(ValueError, match="ids must be one-dimensional"):
            call()

"""Character-level language modelling on IMDB reviews (chapter 5).

The plumbing that the chapter uses but does not teach: a character vocabulary, turning
reviews into one long stream of character ids, cutting that stream into teacher-forcing
windows or into parallel streams for truncated backpropagation through time, a counted
character n-gram model (the baseline), and conversions between loss, bits per character
and perplexity. What the chapter *does* teach (the model, truncation, sampling) stays in
the notebook.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter

import numpy as np

UNKNOWN = "\x00"  # id 0: every character outside the vocabulary
SEPARATOR = "\n"  # id 1: ends every review in the stream
SHOWN_UNKNOWN = "¤"  # how decode() shows an unknown character


def _positive_int(name: str, value) -> int:
    """``value`` if it is a positive integer (not a bool), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _stream(ids) -> np.ndarray:
    """``ids`` as an array if it is one-dimensional, else a ValueError.

    Every function here reads a single stream of characters: a 2-D array would fail deep
    inside NumPy (a broadcast or reshape error) or, for n-gram keys, mix up rows.
    """
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ValueError(f"ids must be one-dimensional (one stream of characters), got "
                         f"shape {array.shape}")
    return array


def _check_ids(ids, vocab_size: int, what: str = "ids") -> np.ndarray:
    """``ids`` as int64 if every one is an integer in 0..vocab_size-1, else a ValueError."""
    array = _stream(ids)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{what} must be integers, got dtype {array.dtype}")
    array = array.astype(np.int64)
    bad = array[(array < 0) | (array >= vocab_size)]
    if bad.size:
        raise ValueError(f"{what} outside the vocabulary 0..{vocab_size - 1}: "
                         f"{sorted(set(bad.tolist()))[:5]}")
    return array


class CharVocabulary:
    """A fixed alphabet. ``chars[i]`` is the character with id ``i``; ids 0 and 1 are the
    unknown character and the review separator."""

    @classmethod
    def from_texts(cls, texts, min_count: int = 1, lowercase: bool = True) -> CharVocabulary:
        """The characters occurring at least ``min_count`` times in ``texts``, by frequency."""
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
        counts = Counter()
        for text in texts:
            counts.update(text.lower() if lowercase else text)
        counts.pop(UNKNOWN, None)
        counts.pop(SEPARATOR, None)
        kept = sorted((c for c, n in counts.items() if n >= min_count),
                      key=lambda c: (-counts[c], c))
        return cls((UNKNOWN, SEPARATOR, *kept), lowercase)

    def __init__(self, chars, lowercase: bool = True):
        chars = tuple(chars)
        if chars[:2] != (UNKNOWN, SEPARATOR) or len(set(chars)) != len(chars):
            raise ValueError("chars must start with UNKNOWN and SEPARATOR and be distinct")
        self.chars, self.lowercase = chars, lowercase
        self._index = {c: i for i, c in enumerate(chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Ids (int32) of the characters of ``text``; unknown characters become 0."""
        text = text.lower() if self.lowercase else text
        index = self._index
        return np.fromiter((index.get(c, 0) for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        """The text of ``ids``; the unknown id is shown as ``SHOWN_UNKNOWN``.

        A negative id or one past the alphabet is an error (Python's indexing would
        silently read ``chars[-1]``)."""
        ids = _check_ids(np.atleast_1d(ids), len(self.chars))
        return "".join(SHOWN_UNKNOWN if i == 0 else self.chars[i] for i in ids)


def encode_reviews(texts, vocabulary: CharVocabulary) -> np.ndarray:
    """One stream of ids: every review followed by the separator (id 1)."""
    parts = []
    for text in texts:
        parts.append(vocabulary.encode(text))
        parts.append(np.ones(1, dtype=np.int32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def teacher_forcing_windows(ids: np.ndarray, length: int, step: int | None = None):
    """Inputs and targets for teacher forcing: ``x = ids[s:s+length]``,
    ``y = ids[s+1:s+length+1]`` for every start ``s`` that is a multiple of ``step``
    (default ``length``: windows that do not overlap). Both (windows, length), int32.
    """
    ids = _stream(ids)
    length = _positive_int("length", length)
    step = length if step is None else _positive_int("step", step)
    starts = np.arange(0, len(ids) - length, step)
    index = starts[:, None] + np.arange(length)[None, :]
    return ids[index].astype(np.int32), ids[index + 1].astype(np.int32)


def parallel_streams(ids: np.ndarray, batch: int, chunk: int):
    """Cut ``ids`` into ``batch`` contiguous streams for truncated BPTT.

    Row ``b`` of chunk ``j`` continues row ``b`` of chunk ``j - 1``, so a state carried
    from one chunk to the next belongs to the same text. Returns ``(x, y)`` of shape
    (chunks, batch, chunk): inputs and their next-character targets. The tail that does
    not fill a whole chunk is dropped.
    """
    ids = _stream(ids)
    batch, chunk = _positive_int("batch", batch), _positive_int("chunk", chunk)
    per_stream = (len(ids) - 1) // batch
    n_chunks = per_stream // chunk
    if n_chunks < 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch} streams of one "
                         f"{chunk}-step chunk")
    used = n_chunks * chunk
    starts = np.arange(batch) * per_stream
    index = starts[:, None] + np.arange(used)[None, :]
    x = ids[index].reshape(batch, n_chunks, chunk).transpose(1, 0, 2)
    y = ids[index + 1].reshape(batch, n_chunks, chunk).transpose(1, 0, 2)
    return x.astype(np.int32), y.astype(np.int32)


def bits_per_char(loss_nats: float) -> float:
    """Mean cross-entropy in nats per character -> bits per character."""
    return float(loss_nats) / math.log(2)


def perplexity(bits: float) -> float:
    """Per-character perplexity from bits per character: 2 ** bits."""
    return float(2.0 ** bits)


class CharNgram:
    """An interpolated Witten-Bell character n-gram model, counted with NumPy.

    ``order`` is n: the model predicts a character from the ``order - 1`` before it.
    Every order k < n is interpolated with the order below (Witten & Bell, 1991):

        P(w | h) = (c(h w) + T(h) P(w | h')) / (c(h) + T(h))

    where c counts occurrences in the training stream, T(h) is the number of distinct
    characters seen after context h, and h' is h without its first character; an unseen
    context falls back to P(w | h'). Order 1 is interpolated with the uniform distribution,
    so no character has probability zero.
    """

    def __init__(self, order: int, vocab_size: int):
        order, vocab_size = _positive_int("order", order), _positive_int("vocab_size", vocab_size)
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2, got {vocab_size}")
        _check_key_size(vocab_size, order)
        self.order, self.vocab_size = order, vocab_size
        self._tables = []

    def fit(self, ids: np.ndarray) -> CharNgram:
        """Count every k-gram, k = 1..order, in the stream ``ids``."""
        ids = _check_ids(ids, self.vocab_size)
        self._tables = []
        for k in range(self.order):  # k = context length
            keys = _ngram_keys(ids, k, self.vocab_size)
            gram_keys, gram_counts = np.unique(keys, return_counts=True)
            context_keys, context_counts = np.unique(keys // self.vocab_size,
                                                     return_counts=True)
            _, followers = np.unique(gram_keys // self.vocab_size, return_counts=True)
            self._tables.append((gram_keys, gram_counts, context_keys, context_counts,
                                 followers))
        return self

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        """P(ids[i] | the up to order-1 ids before it) for every position i (float64)."""
        if not self._tables:
            raise RuntimeError("fit the model first")
        ids = _check_ids(ids, self.vocab_size)
        p = np.full(len(ids), 1.0 / self.vocab_size)
        for k, (gram_keys, gram_counts, context_keys, context_counts, followers) in \
                enumerate(self._tables):
            keys = _ngram_keys(ids, k, self.vocab_size)  # positions k..len-1
            c_hw = _lookup(gram_keys, gram_counts, keys)
            c_h = _lookup(context_keys, context_counts, keys // self.vocab_size)
            t_h = _lookup(context_keys, followers, keys // self.vocab_size)
            lower = p[k:]
            seen = c_h > 0
            p[k:] = np.where(seen, (c_hw + t_h * lower) / np.maximum(c_h + t_h, 1), lower)
        return p

    def context_counts(self, ids: np.ndarray) -> np.ndarray:
        """c(h) of each position's full (order-1)-character context in the training
        stream, shape (len(ids),) int64; -1 for the first order-1 positions, whose
        history is shorter."""
        if not self._tables:
            raise RuntimeError("fit the model first")
        ids = _check_ids(ids, self.vocab_size)
        k = self.order - 1
        _, _, context_keys, context_counts, _ = self._tables[k]
        keys = _ngram_keys(ids, k, self.vocab_size) // self.vocab_size
        counts = np.full(len(ids), -1, dtype=np.int64)
        counts[k:] = _lookup(context_keys, context_counts, keys)
        return counts

    def bits_per_char(self, ids: np.ndarray) -> float:
        """Mean -log2 P over ``ids`` (the first position predicted from no context)."""
        return float(-np.mean(np.log2(self.probabilities(ids))))


class CharKneserNey:
    """An interpolated Kneser-Ney character n-gram model (Kneser & Ney, 1995; Chen &
    Goodman, 1999), counted with NumPy: the standard smoother for n-gram models.

    The highest order uses the counts c; every lower order uses *continuation* counts
    N(. h w), the number of distinct characters seen before ``h w``: how many contexts a
    character follows, not how often. With the discount D of that order,

        P(w | h) = max(c(h w) - D, 0) / c(h) + D * T(h) / c(h) * P(w | h')

    where c(h) = sum over w of c(h w), T(h) is the number of characters w with
    c(h w) > 0, and h' is h without its first character. A context with c(h) = 0 falls
    back to P(w | h'); the lowest order is interpolated with the uniform distribution.
    ``discount=None`` estimates D per order as n1 / (n1 + 2 n2) from the numbers of
    grams counted once and twice (kept within 0.05..0.95). The first order-1 positions
    of a stream, with shorter histories, get the continuation estimate of their length.
    """

    def __init__(self, order: int, vocab_size: int, discount: float | None = None):
        order, vocab_size = _positive_int("order", order), _positive_int("vocab_size", vocab_size)
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2, got {vocab_size}")
        _check_key_size(vocab_size, order + 1)
        if discount is not None and (isinstance(discount, bool) or
                                     not isinstance(discount, numbers.Real) or
                                     not 0 < discount < 1):
            raise ValueError(f"discount must be None or a number in (0, 1), got {discount!r}")
        self.order, self.vocab_size, self.discount = order, vocab_size, discount
        self.discounts: list[float] = []
        self._tables = []

    def fit(self, ids: np.ndarray) -> CharKneserNey:
        """Count, for every context length k = 0..order-1, the (k+1)-grams of ``ids``:
        continuation counts below the highest order, plain counts at it."""
        ids = _check_ids(ids, self.vocab_size)
        base = self.vocab_size
        self._tables, self.discounts = [], []
        for k in range(self.order):
            if k == self.order - 1:
                gram_keys, counts = np.unique(_ngram_keys(ids, k, base), return_counts=True)
            else:  # distinct predecessors: unique (k+2)-grams, grouped by their last k+1
                longer = np.unique(_ngram_keys(ids, k + 1, base))
                gram_keys, counts = np.unique(longer % base ** (k + 1), return_counts=True)
            self.discounts.append(self._discount(counts))
            context_keys, starts = np.unique(gram_keys // base, return_index=True)
            totals = np.add.reduceat(counts, starts) if len(counts) else counts
            types = np.diff(np.append(starts, len(gram_keys)))
            self._tables.append((gram_keys, counts, context_keys, totals, types))
        return self

    def _discount(self, counts: np.ndarray) -> float:
        if self.discount is not None:
            return float(self.discount)
        n1, n2 = np.count_nonzero(counts == 1), np.count_nonzero(counts == 2)
        return float(np.clip(n1 / (n1 + 2 * n2), 0.05, 0.95)) if n1 + n2 else 0.5

    def probabilities(self, ids: np.ndarray) -> np.ndarray:
        """P(ids[i] | the up to order-1 ids before it) for every position i (float64)."""
        if not self._tables:
            raise RuntimeError("fit the model first")
        ids = _check_ids(ids, self.vocab_size)
        p = np.full(len(ids), 1.0 / self.vocab_size)
        for k, (gram_keys, counts, context_keys, totals, types) in enumerate(self._tables):
            keys = _ngram_keys(ids, k, self.vocab_size)  # positions k..len-1
            d = self.discounts[k]
            c_hw = _lookup(gram_keys, counts, keys)
            c_h = _lookup(context_keys, totals, keys // self.vocab_size)
            t_h = _lookup(context_keys, types, keys // self.vocab_size)
            lower, denominator = p[k:], np.maximum(c_h, 1)
            interpolated = np.maximum(c_hw - d, 0) / denominator + d * t_h / denominator * lower
            p[k:] = np.where(c_h > 0, interpolated, lower)
        return p

    def bits_per_char(self, ids: np.ndarray) -> float:
        """Mean -log2 P over ``ids``."""
        return float(-np.mean(np.log2(self.probabilities(ids))))


def _check_key_size(vocab_size: int, length: int) -> None:
    """A ValueError unless every ``length``-gram key, vocab_size ** length, fits in int64.

    A length of 62 or more is refused before the power is computed (vocab_size >= 2, so
    it is too high anyway): computing 5 ** 10**30 exactly would never finish.
    """
    if length >= 62 or vocab_size >= 2 ** 62 or vocab_size ** length >= 2 ** 62:
        raise ValueError(f"order too high for 64-bit n-gram keys: vocab_size ** {length} "
                         f"must be below 2**62 (vocab_size {vocab_size})")


def _ngram_keys(ids: np.ndarray, k: int, base: int) -> np.ndarray:
    """One int64 key per (k+1)-gram ending at positions k..len-1: its ids in base ``base``."""
    n = len(ids) - k
    keys = np.zeros(max(n, 0), dtype=np.int64)
    for j in range(k + 1):
        keys = keys * base + ids[j:j + n]
    return keys


def _lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """values[keys == query] for each query, 0 where the query is not among the keys."""
    if len(keys) == 0:
        return np.zeros(len(queries))
    where = np.clip(np.searchsorted(keys, queries), 0, len(keys) - 1)
    return np.where(keys[where] == queries, values[where], 0).astype(np.float64)


def softmax_with_temperature(logits, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) along the last axis, computed stably (float64).

    The largest logit is subtracted *before* dividing, so a tiny temperature cannot
    overflow to inf - inf. A +inf logit takes all the probability (shared equally among
    the +inf logits of its row); -inf logits get zero. NaN logits, or a row whose logits
    are all -inf, have no distribution and raise ValueError.
    """
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    if not (_finite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive and finite, got {_short(temperature)}")
    z = _logits(logits)
    if np.isnan(z).any():
        raise ValueError("logits contain NaN")
    top = z.max(axis=-1, keepdims=True)
    if np.isneginf(top).any():
        raise ValueError("every logit of a row is -inf: no distribution to sample from")
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = np.where(np.isposinf(top), np.where(np.isposinf(z), 0.0, -np.inf), z - top)
        e = np.exp(shifted / temperature)  # the top logit gives exp(0) = 1: no 0 / 0
    return e / e.sum(axis=-1, keepdims=True)


def _finite(number) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # a whole number too large for any float (10**400)
        return False


def _short(value) -> str:
    # repr() of a whole number over 4,300 digits raises ValueError.
    return f"an integer of {value.bit_length()} bits" if isinstance(value, int) and \
        value.bit_length() > 64 else repr(value)


def _logits(logits) -> np.ndarray:
    """``logits`` as float64 with at least one value per row, else a ValueError."""
    # np.asarray(None, float) is a silent NaN; strings and ragged lists raise NumPy's own
    # ValueError or TypeError, which do not say which argument was wrong.
    if logits is None:
        raise ValueError("logits must be numbers (an array of scores), got None")
    try:
        z = np.asarray(logits, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"logits must be numbers (an array of scores): {error}") from None
    if z.ndim and z.shape[-1] == 0:
        raise ValueError(f"softmax needs at least one logit per row, got shape {z.shape}")
    return z


def entropy_bits(probabilities) -> np.ndarray:
    """Entropy in bits of each distribution along the last axis."""
    p = np.asarray(probabilities, dtype=np.float64)
    return -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0), axis=-1)

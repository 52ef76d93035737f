"""Export chapter 6's trained model for the book's "Try it" page (``tryit.md``).

The page runs the IMDB chapter's LSTM in the reader's browser, word by word, in plain
JavaScript (``tools/tryit/tryit.js``). Its numbers come from this export, done by the
chapter itself at the end of section 8::

    from rnncourse.tryit import publish_model
    publish_model(reviewer, test.texts, test.labels)

Contract
--------
``publish_model(model, reviews=None, labels=None)`` takes the chapter's end-to-end model
(``sentiment.end_to_end``: raw strings → ``CleanReviews`` → ``TextVectorization`` →
``LastTokens`` → Embedding(mask_zero=True) → LSTM → Dense(1, sigmoid)) and *displays*
one output: a
one-line ``text/plain`` summary, with the export in the output's metadata under
``METADATA_KEY`` (``"rnncourse.tryit"``). Nothing is written to disk: jupyter-cache
restores a notebook's outputs, not the files its cells wrote, so the model travels
inside the output. (Metadata, not a MIME type of its own: myst-nb warns about every MIME
type it cannot render, and the book builds with warnings as errors. JupyterLab, Colab
and the website show only the summary line.) At build time the Sphinx extension
``tools/tryit_export.py`` finds that output in the executed chapter (fresh or from the
cache) and writes its files to ``_build/html/_static/tryit/``:

- ``model.json``: vocabulary (index = token id), ``max_length``, the layout of
  ``weights.bin``, the measured cost of the compression, example reviews, the course's
  colour maps;
- ``weights.bin``: the weights, little-endian. The embedding is int8 with one float32
  scale per row (``row ≈ int8 × scale``), a quarter of its float32 size; the LSTM and the
  dense layer stay float32;
- ``proof.json``: at least ``PROOF_SIZE`` test reviews with the probability Keras gives
  them with the weights the page uses (its int8 embedding), and tricky texts with the
  token ids of the model's own layers (``CleanReviews``, ``TextVectorization``).
  tests/site/test_tryit.py, and the page's "check against Keras" button, compare the
  page's JavaScript with them.

The page is ``tryit.md`` (``tryit.html`` on the site); the chapter links to it with
``[Try it](../tryit.md)``. Only the weights are compressed; ``reviews``/``labels``
(default: all 25,000 test reviews) measure what the compression costs: test accuracy
with float32 and with int8 embedding, and the largest change in probability.
"""

from __future__ import annotations

import base64
import json

import numpy as np

from rnncourse.data import clean_review

METADATA_KEY = "rnncourse.tryit"
FORMAT = 1
#: Test reviews whose Keras probability the page must reproduce.
PROOF_SIZE = 200
#: Files the export consists of (the Sphinx extension writes exactly these).
FILES = ("model.json", "weights.bin", "proof.json")
#: Reviews of our own that show the verdict turning, offered on the page next to test reviews.
OWN_EXAMPLES = (
    "The first hour is slow and the dialogue is clumsy, but the last act is wonderful "
    "and the lead gives the performance of her career. I loved it.",
    "A promising start, a great cast and a fine score. Then the plot falls apart, the "
    "jokes stop working and the ending is a dull mess. What a waste.",
)
#: Inputs whose token ids the page must reproduce exactly (the chapter's vectorizer).
TRICKY_TEXTS = (
    "Don't, won't, can't: it's the director's film.",
    "Wow!!!... really?!?! 10/10 -- (no) [spoilers] {here} @all #1 $5 50% a&b c*d e+f",
    "It was GREAT. Great! great? gReAt",
    "Café, naïve, façade, ÉCOLE, Straße, İstanbul, Ångström, smörgåsbord",
    "Curly quotes: “superb” and ‘awful’ and don’t … an ellipsis",
    "Emoji 😀 loved it 👍🏽 and great😀film",
    "Line one.<br /><br />Line two.<BR>three<br/>four<br\t/>five<br\u00a0/>six<br\v/>",
    "tabs\tand\nnewlines\r\nand  many   spaces",
    "non\u00a0breaking\u2003spaces and\u200bzero width",
    "the the the unknownwordxyz qwertyuiop",
    "",
    "   \t\n  ",
    "!!! ... ???",
)


def export_bundle(model, reviews=None, labels=None, *, proof_size: int = PROOF_SIZE,
                  batch_size: int = 256) -> dict:
    """The files of the Try it page for ``model``, as ``{file name: JSON value}``.

    ``weights.bin`` is given as base64 text. ``reviews``/``labels``: the reviews on which
    the compression's cost is measured, and from which the proof and examples are drawn
    (default: the IMDB test set). Raises ``ValueError`` for a model the page cannot run.
    """
    import tensorflow as tf

    from rnncourse import sentiment

    parts = _find_parts(model)
    if reviews is None:
        from rnncourse.data import load_imdb

        _, test = load_imdb()
        reviews, labels = test.texts, test.labels
    reviews = list(reviews)
    labels = np.asarray(labels).astype(int).reshape(-1)
    if len(reviews) != len(labels) or not reviews:
        raise ValueError(f"need as many labels as reviews (and at least one), got "
                         f"{len(reviews)} reviews and {len(labels)} labels")

    embedding_layer = parts["embedding"]
    full_embedding = np.asarray(embedding_layer.get_weights()[0], dtype=np.float32)
    quantized, scale = quantize_rows(full_embedding)
    served_embedding = dequantize_rows(quantized, scale)

    # Cost of the compression on every review: the classifier on its token ids, batched
    # by length (masking makes padding irrelevant), float32 embedding vs the page's.
    sequences = token_ids(model, reviews)
    # A review without a single word (none in IMDB) is read as one unknown word.
    sequences = [s if len(s) else np.array([1], np.int32) for s in sequences]

    def classify(texts_or_sequences, raw: bool):
        if raw:
            return np.asarray(model.predict(tf.constant(list(texts_or_sequences)),
                                            batch_size=batch_size, verbose=0),
                              dtype=np.float32).reshape(-1)
        return sentiment.predict_probabilities(parts["classifier"], texts_or_sequences,
                                               max_length=parts["max_length"],
                                               batch_size=batch_size, padding="post")

    proof_index = _proof_indices(sequences, proof_size)
    proof_texts = [reviews[i] for i in proof_index] + list(OWN_EXAMPLES)
    if parts["cleaner"] is None:  # an older end-to-end model: clean as load_imdb does
        proof_texts = [clean_review(t) for t in proof_texts]
    full = classify(sequences, raw=False)
    examples = _examples(reviews, labels, sequences, full)
    full_proof = classify(proof_texts, raw=True)
    embedding_layer.set_weights([served_embedding])
    try:
        served = classify(sequences, raw=False)
        served_proof = classify(proof_texts, raw=True)
    finally:
        embedding_layer.set_weights([full_embedding])

    vocabulary = [str(w) for w in parts["vectorizer"].get_vocabulary()]
    lstm_kernel, lstm_recurrent, lstm_bias = (np.asarray(w, np.float32)
                                              for w in parts["lstm"].get_weights())
    dense_kernel, dense_bias = (np.asarray(w, np.float32) for w in parts["dense"].get_weights())
    arrays = [("embedding", quantized), ("embedding_scale", scale),
              ("lstm_kernel", lstm_kernel), ("lstm_recurrent_kernel", lstm_recurrent),
              ("lstm_bias", lstm_bias), ("dense_kernel", dense_kernel.reshape(-1)),
              ("dense_bias", dense_bias.reshape(-1))]
    layout, blobs, offset = [], [], 0
    for name, array in arrays:
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        layout.append({"name": name, "dtype": str(array.dtype), "shape": list(array.shape),
                       "offset": offset, "bytes": len(data)})
        blobs.append(data)
        offset += len(data)
        offset += (-offset) % 4  # keep every array 4-byte aligned for Float32Array
        blobs.append(b"\0" * ((-len(data)) % 4))
    weights = b"".join(blobs)

    correct_full = (full > 0.5) == (labels == 1)
    correct_served = (served > 0.5) == (labels == 1)
    measured = {
        "reviews": len(reviews),
        "accuracy_float32": float(correct_full.mean()),
        "accuracy_served": float(correct_served.mean()),
        "max_probability_difference": float(np.max(np.abs(served - full))),
        "mean_probability_difference": float(np.mean(np.abs(served - full))),
        "verdicts_changed": int(np.sum((served > 0.5) != (full > 0.5))),
        "float32_embedding_bytes": int(full_embedding.nbytes),
        "served_embedding_bytes": int(quantized.nbytes + scale.nbytes),
    }
    tokens = [{"text": text, "ids": [int(i) for i in ids]}
              for text, ids in zip(TRICKY_TEXTS, token_ids(model, TRICKY_TEXTS), strict=True)]
    model_json = {
        "format": FORMAT, "name": model.name, "max_length": parts["max_length"],
        "vocab_size": len(vocabulary), "embedding_dim": int(full_embedding.shape[1]),
        "units": int(lstm_recurrent.shape[0]), "vocabulary": vocabulary,
        "weights": layout, "measured": measured, "examples": examples,
        "palette": _palette(),
    }
    proof_json = {
        "format": FORMAT,
        "reviews": [{"text": text, "keras": float(p), "keras_float32": float(q)}
                    for text, p, q in zip(proof_texts, served_proof, full_proof, strict=True)],
        "tokens": tokens,
    }
    return {"model.json": model_json,
            "weights.bin": base64.b64encode(weights).decode("ascii"),
            "proof.json": proof_json}


def publish_model(model, reviews=None, labels=None, **options) -> None:
    """Display the Try it page's export of ``model`` as a notebook output.

    See the module docstring for the contract. The output shows as one line of text in
    the notebook and on the website; the book build turns it into the page's files.
    It returns nothing, so that the last line of a cell does not print the export again.
    ``options``: ``proof_size``, ``batch_size`` (see ``export_bundle``).
    """
    from IPython.display import display

    bundle = export_bundle(model, reviews, labels, **options)
    display({"text/plain": summary(bundle)}, metadata={METADATA_KEY: bundle}, raw=True)


def summary(bundle: dict) -> str:
    """One line saying what the export holds and what its compression costs."""
    info = bundle["model.json"]
    m = info["measured"]
    size = download_bytes(bundle)
    return (f"Exported for the Try it page: {info['vocab_size']:,} words, "
            f"{info['units']} LSTM units, {size / 1e6:.2f} MB to download; the int8 "
            f"embedding scores {m['accuracy_served']:.2%} on {m['reviews']:,} test reviews "
            f"(float32: {m['accuracy_float32']:.2%}), probabilities within "
            f"{m['max_probability_difference']:.1e}.")


def download_bytes(bundle: dict) -> int:
    """Bytes the page downloads to run the model (model.json and weights.bin)."""
    return len(file_bytes(bundle, "model.json")) + len(file_bytes(bundle, "weights.bin"))


def file_bytes(bundle: dict, name: str) -> bytes:
    """The content of one exported file, as the site serves it."""
    if name not in FILES:
        raise ValueError(f"unknown Try it file {name!r}; expected one of {FILES}")
    value = bundle[name]
    if name.endswith(".bin"):
        return base64.b64decode(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def token_ids(model, texts) -> list[np.ndarray]:
    """The ids ``model``'s own layers give each text (cleaning, then vectorizing), unpadded.

    Not truncated: ``LastTokens`` keeps the last ``max_length`` of them.
    """
    import tensorflow as tf

    from rnncourse import sentiment

    parts = _find_parts(model)
    texts = list(texts)
    if parts["cleaner"] is not None:
        texts = [t.decode("utf-8") for t in
                 np.asarray(parts["cleaner"](tf.constant(texts, dtype=tf.string))).tolist()]
    else:
        texts = [clean_review(t) for t in texts]
    return sentiment.encode(parts["vectorizer"], texts)


def quantize_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 ``(rows, cols)`` and float32 ``(rows,)`` scales with ``row ≈ int8 × scale``.

    Each row's largest magnitude maps to 127, so the rounding error of an entry is at
    most half its row's scale.
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    scale = (np.max(np.abs(matrix), axis=1) / 127).astype(np.float32)
    safe = np.where(scale > 0, scale, 1).astype(np.float32)
    quantized = np.clip(np.rint(matrix / safe[:, None]), -127, 127).astype(np.int8)
    return quantized, scale


def dequantize_rows(quantized: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """float32 rows ``int8 × scale``, computed as the page computes them."""
    return (quantized.astype(np.float32) * scale[:, None]).astype(np.float32)


def _find_parts(model) -> dict:
    """The layers of an ``end_to_end`` model the page needs, checked against its JS."""
    import keras

    from rnncourse.sentiment import CleanReviews, LastTokens

    def walk(layer):
        yield layer
        for inner in getattr(layer, "layers", ()):
            yield from walk(inner)

    layers = list(walk(model))[1:]

    def one(kind, what):
        found = [layer for layer in layers if isinstance(layer, kind)]
        if len(found) != 1:
            raise ValueError(f"the Try it page needs a model with exactly one {what} "
                             f"(sentiment.end_to_end), found {len(found)} in {model.name!r}")
        return found[0]

    vectorizer = one(keras.layers.TextVectorization, "TextVectorization layer")
    cleaners = [layer for layer in layers if isinstance(layer, CleanReviews)]
    last = one(LastTokens, "LastTokens layer")
    embedding = one(keras.layers.Embedding, "Embedding layer")
    lstm = one(keras.layers.LSTM, "LSTM layer")
    dense = one(keras.layers.Dense, "Dense layer")
    classifier = [layer for layer in layers if isinstance(layer, keras.Model)
                  and embedding in list(walk(layer))]
    if not classifier:
        raise ValueError("the Try it page needs the classifier (Embedding → LSTM → Dense) "
                         "as a model inside the end-to-end model (sentiment.end_to_end)")
    config = vectorizer.get_config()
    problems = []
    if config.get("standardize") != "lower_and_strip_punctuation":
        problems.append(f"standardize={config.get('standardize')!r}")
    if config.get("split") != "whitespace" or config.get("ngrams"):
        problems.append(f"split={config.get('split')!r}, ngrams={config.get('ngrams')!r}")
    if config.get("output_mode") != "int":
        problems.append(f"output_mode={config.get('output_mode')!r}")
    if not embedding.mask_zero:
        problems.append("Embedding(mask_zero=False): the page skips padding, so the model "
                        "must mask it")
    lstm_config = lstm.get_config()
    for key, wanted in (("activation", "tanh"), ("recurrent_activation", "sigmoid"),
                        ("use_bias", True), ("go_backwards", False),
                        ("return_sequences", False)):
        if lstm_config.get(key) != wanted:
            problems.append(f"LSTM {key}={lstm_config.get(key)!r} (the page uses {wanted!r})")
    if dense.get_config().get("activation") != "sigmoid" or dense.units != 1:
        problems.append("the last layer must be Dense(1, activation='sigmoid')")
    if problems:
        raise ValueError("the Try it page cannot run this model: " + "; ".join(problems))
    return {"vectorizer": vectorizer, "cleaner": cleaners[0] if cleaners else None,
            "max_length": int(last.max_length),
            "embedding": embedding, "lstm": lstm, "dense": dense,
            "classifier": classifier[0]}


def _proof_indices(sequences, proof_size: int) -> list[int]:
    """``proof_size`` reviews: a seeded sample, with the longest ones (truncation) in it."""
    count = min(proof_size, len(sequences))
    lengths = np.array([len(s) for s in sequences])
    longest = list(np.argsort(-lengths, kind="stable")[: max(1, count // 20)])
    rest = np.setdiff1d(np.arange(len(sequences)), longest)
    rng = np.random.default_rng(0)
    picked = rng.choice(rest, size=min(count - len(longest), len(rest)), replace=False)
    return [int(i) for i in sorted(set(longest) | set(picked.tolist()))]


def _examples(reviews, labels, sequences, probabilities, max_words: int = 120) -> list[dict]:
    """Short test reviews to pick from on the page, then two of our own.

    Among the test reviews of 40 to ``max_words`` tokens: the positive and the negative
    one the model is surest of and right about, and the one it is surest of and wrong
    about (the page is no advertisement).
    """
    lengths = np.array([len(s) for s in sequences])
    short = (lengths >= 40) & (lengths <= max_words)
    if not short.any():  # tiny runs
        short = np.ones(len(lengths), dtype=bool)
    predicted = (probabilities > 0.5).astype(int)
    confidence = np.abs(probabilities - 0.5)
    choices = [("a short positive test review", short & (labels == 1) & (predicted == 1)),
               ("a short negative test review", short & (labels == 0) & (predicted == 0)),
               ("a short test review the model gets wrong", short & (predicted != labels))]
    examples = []
    for title, pool in choices:
        pool = np.flatnonzero(pool)
        if len(pool):
            index = int(pool[np.argmax(confidence[pool])])
            examples.append({"title": title, "text": clean_review(reviews[index]),
                             "label": int(labels[index])})
    titles = ("our own: slow start, great ending", "our own: good start, bad ending")
    examples += [{"title": title, "text": text, "label": None}
                 for title, text in zip(titles, OWN_EXAMPLES, strict=True)]
    return examples


def _palette(steps: int = 64) -> dict:
    """The course's colour maps (``rnncourse.plotting``) sampled for the page's heat maps."""
    import matplotlib as mpl

    from rnncourse.plotting import COLORS, DIVERGING_CMAP, SEQUENTIAL_CMAP

    def sample(name):
        cmap = mpl.colormaps[name]
        return [mpl.colors.to_hex(cmap(x)) for x in np.linspace(0, 1, steps)]

    return {"sequential": sample(SEQUENTIAL_CMAP), "sequential_name": SEQUENTIAL_CMAP,
            "diverging": sample(DIVERGING_CMAP), "diverging_name": DIVERGING_CMAP,
            "lines": COLORS}

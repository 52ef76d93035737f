"""rnncourse.tryit (the Try it page's export) and the page's JavaScript model, run in Node.

The browser checks of the page itself are in tests/site/test_tryit.py; these run in
seconds on a small, untrained end-to-end model over real IMDB reviews.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from notebooks import REAL_ARCHIVE

from rnncourse import sentiment, tryit
from rnncourse.data import load_imdb

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "tryit" / "tryit.js"
sys.path.insert(0, str(ROOT / "tools"))
import tryit_export  # noqa: E402

MAX_LENGTH = 30


@pytest.fixture(scope="module")
def reviews():
    # The shared copy where there is one (CI, a checkout beside shared/), else the loader's
    # own cache or download.
    archive = REAL_ARCHIVE if REAL_ARCHIVE.is_file() else None
    train, test = load_imdb(subsample=60, seed=1, archive=archive)
    return train, test


@pytest.fixture(scope="module")
def reviewer(reviews):
    train, _ = reviews
    vectorizer = sentiment.make_vectorizer(train.texts, vocab_size=500)
    keras.utils.set_random_seed(3)
    model = sentiment.build_classifier("LSTM", vocab_size=500, embedding_dim=6, units=5)
    # Untrained weights are too small to tell the gates apart: make them larger.
    for layer in model.layers:
        layer.set_weights([w * 3 for w in layer.get_weights()])
    return sentiment.end_to_end(vectorizer, model, MAX_LENGTH)


@pytest.fixture(scope="module")
def bundle(reviewer, reviews):
    _, test = reviews
    return tryit.export_bundle(reviewer, test.texts, test.labels, proof_size=40)


def test_quantized_rows_are_within_half_a_step():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(50, 16)).astype(np.float32) * rng.uniform(0.01, 3, (50, 1))
    matrix[7] = 0
    quantized, scale = tryit.quantize_rows(matrix)
    assert quantized.dtype == np.int8 and scale.dtype == np.float32
    assert np.all(np.abs(quantized).max(axis=1)[scale > 0] == 127)
    error = np.abs(tryit.dequantize_rows(quantized, scale) - matrix)
    assert np.all(error <= scale[:, None] / 2 * (1 + 1e-5))
    assert np.all(quantized[7] == 0) and scale[7] == 0


@pytest.mark.slow
def test_export_holds_the_model_vocabulary_and_proof(bundle, reviewer, reviews):
    _, test = reviews
    info = bundle["model.json"]
    vectorizer = next(layer for layer in reviewer.layers
                      if isinstance(layer, keras.layers.TextVectorization))
    assert info["vocabulary"] == [str(w) for w in vectorizer.get_vocabulary()]
    assert info["max_length"] == MAX_LENGTH and info["units"] == 5
    assert info["embedding_dim"] == 6
    weights = base64.b64decode(bundle["weights.bin"])
    layout = {entry["name"]: entry for entry in info["weights"]}
    assert [e["offset"] % 4 for e in info["weights"]] == [0] * len(info["weights"])
    assert layout["embedding"]["shape"] == [500, 6]
    lstm = reviewer.get_layer("lstm_classifier").get_layer("lstm")
    kernel = np.frombuffer(weights, "<f4", count=6 * 20,
                           offset=layout["lstm_kernel"]["offset"]).reshape(6, 20)
    np.testing.assert_array_equal(kernel, lstm.get_weights()[0])
    proof = bundle["proof.json"]
    assert len(proof["reviews"]) == 40 + len(tryit.OWN_EXAMPLES)
    assert [t["text"] for t in proof["tokens"]] == list(tryit.TRICKY_TEXTS)
    # The export's Keras probabilities are the model's on the cleaned text.
    texts = [r["text"] for r in proof["reviews"]]
    np.testing.assert_allclose([r["keras_float32"] for r in proof["reviews"]],
                               sentiment.predict_sentiment(reviewer, texts), atol=1e-6)
    measured = info["measured"]
    assert measured["reviews"] == len(test)
    assert 0 <= measured["max_probability_difference"] < 0.05
    assert measured["served_embedding_bytes"] == 500 * 6 + 4 * 500


def test_tricky_token_ids_come_from_the_models_own_layers(bundle, reviewer):
    vectorizer = next(layer for layer in reviewer.layers
                      if isinstance(layer, keras.layers.TextVectorization))
    cleaner = reviewer.get_layer("clean_reviews")
    for item in bundle["proof.json"]["tokens"]:
        expected = np.asarray(vectorizer(cleaner(tf.constant([item["text"]]))))[0]
        assert item["ids"] == [int(i) for i in expected if i != 0]
    # The model's cleaning is TensorFlow's (RE2, whose \s is [\t\n\f\r ]), not Python's
    # clean_review: "<br\v/>" is no line break to it. The page follows the model.
    a, b = bundle["model.json"]["vocabulary"][2:4]
    (ids,) = tryit.token_ids(reviewer, [f"{a}<br\v/>{b} {a}<br\t/>{b}"])
    (expected,) = sentiment.encode(vectorizer, [f"{a}br {b} {a} {b}"])
    assert ids.tolist() == expected.tolist()
    empty = [item["ids"] for item in bundle["proof.json"]["tokens"]
             if not item["text"].strip(" \t\n!.?")]
    assert empty and all(ids == [] for ids in empty)


def test_publish_model_displays_the_export_with_a_one_line_summary(monkeypatch, reviewer,
                                                                    reviews):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda data, raw=False, metadata=None: shown.append((data, raw,
                                                                             metadata)))
    _, test = reviews
    before = [w.copy() for w in reviewer.get_weights()]
    assert tryit.publish_model(reviewer, test.texts[:20], test.labels[:20],
                               proof_size=5) is None
    for weight, saved in zip(reviewer.get_weights(), before, strict=True):
        np.testing.assert_array_equal(weight, saved)  # the int8 embedding was temporary
    (data, raw, metadata), = shown
    assert raw and set(data) == {"text/plain"} and set(metadata) == {tryit.METADATA_KEY}
    exported = metadata[tryit.METADATA_KEY]
    assert set(exported) == set(tryit.FILES)
    assert len(exported["proof.json"]["reviews"]) == 5 + len(tryit.OWN_EXAMPLES)
    assert "\n" not in data["text/plain"] and "MB to download" in data["text/plain"]


def test_models_the_page_cannot_run_are_refused(reviews):
    train, test = reviews
    vectorizer = sentiment.make_vectorizer(train.texts, vocab_size=100)
    for kind, mask_zero, message in [("GRU", True, "LSTM layer"),
                                     ("LSTM", False, "mask_zero=False")]:
        model = sentiment.build_classifier(kind, vocab_size=100, embedding_dim=3, units=2,
                                           mask_zero=mask_zero)
        with pytest.raises(ValueError, match=message):
            tryit.export_bundle(sentiment.end_to_end(vectorizer, model, 10), test.texts,
                                test.labels)
    with pytest.raises(ValueError, match="TextVectorization"):
        model = sentiment.build_classifier("LSTM", vocab_size=100, embedding_dim=3, units=2)
        tryit.export_bundle(model, test.texts, test.labels)


def test_the_exporter_finds_the_output_in_an_executed_notebook_and_writes_the_files(
        bundle, tmp_path):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "hi"}]},
        {"cell_type": "code", "outputs": [{"output_type": "display_data",
                                           "data": {"text/plain": "summary"},
                                           "metadata": {tryit.METADATA_KEY: bundle}}]}]}
    notebook = json.loads(json.dumps(notebook))  # as read back from the .ipynb
    found = tryit_export.find_exports(notebook)
    assert len(found) == 1
    sizes = tryit_export.write_files(found[0], tmp_path)
    assert set(sizes) == set(tryit.FILES) == set(tryit_export.FILES)
    assert tryit_export.METADATA_KEY == tryit.METADATA_KEY
    for name in tryit.FILES:
        assert (tmp_path / name).read_bytes() == tryit.file_bytes(bundle, name)
    assert tryit.download_bytes(bundle) == sizes["model.json"] + sizes["weights.bin"]
    with pytest.raises(ValueError, match="proof.json"):
        tryit_export.write_files({k: v for k, v in bundle.items() if k != "proof.json"},
                                 tmp_path)


@pytest.mark.parametrize("suffix", [".md", ".ipynb"])
def test_the_exporter_reads_the_cache_when_the_executed_copy_has_no_outputs(bundle, tmp_path,
                                                                           suffix):
    """What make test does: nbval fills the jupyter cache, the book restores the chapter
    (a MyST source, or a Jupyter file) from it and writes ``jupyter_execute/`` without
    outputs (myst-nb 1.4)."""
    import types

    import nbformat
    import notebook_files
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    source = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("publish()")],
        metadata={"kernelspec": notebook_files.KERNELSPEC})
    (tmp_path / "chapters").mkdir()
    source_path = tmp_path / "chapters" / f"ch{suffix}"
    if suffix == ".md":
        notebook_files.write_source(source, source_path)
    else:
        nbformat.write(source, source_path)
    executed = notebook_files.read(source_path)
    executed.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", {"text/plain": "summary"}, metadata={tryit.METADATA_KEY: bundle})]
    get_cache(str(tmp_path / "_build" / ".jupyter_cache")).cache_notebook_bundle(
        CacheBundleIn(executed, str(source_path)), check_validity=False)
    empty_copy = tmp_path / "_build" / "jupyter_execute" / "chapters" / "ch.ipynb"
    empty_copy.parent.mkdir(parents=True)
    nbformat.write(source, empty_copy)  # the copy myst-nb writes: no outputs
    app = types.SimpleNamespace(
        outdir=str(tmp_path / "_build" / "html"), srcdir=str(tmp_path),
        env=types.SimpleNamespace(found_docs={"chapters/ch"}),
        config=types.SimpleNamespace(nb_execution_cache_path=""))
    found = [(doc, tryit_export.find_exports(nb))
             for doc, nb in tryit_export._executed_notebooks(app)]
    assert [(doc, len(exports)) for doc, exports in found] == [("chapters/ch", 1)]


# ---------------------------------------------------------------------------------------
# The page's JavaScript model (tools/tryit/tryit.js, part 1), run by Node.

NODE_RUNNER = """
const core = require(process.argv[1]);
const fs = require("fs");
const dir = process.argv[2];
const info = JSON.parse(fs.readFileSync(dir + "/model.json", "utf8"));
const bytes = fs.readFileSync(dir + "/weights.bin");
const model = core.loadModel(info, bytes.buffer.slice(bytes.byteOffset,
                                                      bytes.byteOffset + bytes.length));
const input = JSON.parse(fs.readFileSync(dir + "/input.json", "utf8"));
const out = {
  probabilities: input.reviews.map((text) => core.predict(model, text)),
  pinned: input.reviews.map((text) => core.predict(model, text, 1)),
  ids: input.tokens.map((text) => core.tokenize(model, text).ids),
  empty: input.tokens.map((text) => {
    try { core.predict(model, text); return null; } catch (e) { return e.message; }
  }),
  order: model.order,
};
process.stdout.write(JSON.stringify(out));
"""

FUZZ_ALPHABET = list("aAzZ éÉß'’\"-.,!?;:()[]<>/\\_`~@#$%^&*+=|{}0123456789\t\n\r\v\f") + [
    "\u00a0", "\u2003", "\u200b", "\x85", "\x1c", "😀", "👍🏽", "İ", "ı", "K", "<br />", "<BR>",
    "<br/>", "<br\t/>", "<br\v/>", "<br\u00a0/>", "<br", "/>", "don't", "can’t", "good", "bad",
    "film", "movie"]


def _run_node(files: dict, reviews, tokens, tmp_path) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the browser checks in tests/site cover this)")
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "input.json").write_text(json.dumps({"reviews": reviews, "tokens": tokens}))
    result = subprocess.run([node, "-e", NODE_RUNNER, str(SCRIPT), str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_javascript_equals_keras_and_textvectorization(bundle, reviewer, tmp_path):
    files = {name: tryit.file_bytes(bundle, name) for name in tryit.FILES}
    proof = bundle["proof.json"]
    rng = np.random.default_rng(0)
    fuzz = ["".join(rng.choice(FUZZ_ALPHABET, size=rng.integers(0, 40)))
            for _ in range(300)]
    tokens = [t["text"] for t in proof["tokens"]] + fuzz
    reviews = [r["text"] for r in proof["reviews"]]
    out = _run_node(files, reviews, tokens, tmp_path)
    # Probabilities: equal to Keras with the page's (int8) embedding.
    np.testing.assert_allclose(out["probabilities"], [r["keras"] for r in proof["reviews"]],
                               atol=1e-5, rtol=0)
    # Token ids: equal to the model's own layers' (clean, vectorize), truncated like LastTokens.
    expected = tryit.token_ids(reviewer, tokens)
    for text, ids, want in zip(tokens, out["ids"], expected, strict=True):
        assert ids == [int(i) for i in want[-MAX_LENGTH:]], repr(text)
    for text, ids, message in zip(tokens, out["ids"], out["empty"], strict=True):
        assert (message is not None) == (ids == []), repr(text)
        if message:
            assert "no words" in message
    # Units in chapter 3's order: by classifier weight, most positive first.
    dense = reviewer.get_layer("lstm_classifier").get_layer("positive").get_weights()[0]
    assert out["order"] == [int(i) for i in np.argsort(-dense[:, 0], kind="stable")]
    # Pinning the forget gate to 1 changes the answers (the switch is wired to the gates).
    assert np.max(np.abs(np.subtract(out["pinned"], out["probabilities"]))) > 1e-3

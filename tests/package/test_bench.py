"""bench/imdb_bench.py: the command line, the combination and a run on tiny data."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from rnncourse import sentiment

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("imdb_bench", ROOT / "bench" / "imdb_bench.py")
imdb_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(imdb_bench)

FINAL = {"max_length": 800, "dropout": 0.3}


def test_overrides_change_only_the_named_values_and_keep_their_types():
    config = imdb_bench.with_overrides(FINAL, ["max_length=400", "dropout=0"])
    assert config == {"max_length": 400, "dropout": 0.0}
    assert isinstance(config["dropout"], float)
    assert FINAL["max_length"] == 800  # the original is untouched


@pytest.mark.parametrize(("assignment", "message"), [
    ("units=3", "unknown key 'units'"),
    ("max_length=long", "is not a int"),
    ("max_length", "is not a int"),
    ("max_length=2.9", "'2.9' is not a int \\(a whole number\\)"),  # was silently 2
    ("max_length=True", "is not a int"),
    ("dropout=nan", "is not a float"),
    ("dropout=1e999", "is not a float"),
    ("dropout=False", "is not a float"),
])
def test_bad_overrides_are_rejected_with_the_reason(assignment, message):
    with pytest.raises(ValueError, match=message):
        imdb_bench.with_overrides(FINAL, [assignment])


def test_bad_arguments_stop_before_any_work(capsys):
    with pytest.raises(SystemExit):
        imdb_bench.main(["--set", "colour=3"])
    assert "unknown key 'colour'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        imdb_bench.main(["--set", "epochs=2.9"])
    assert "'2.9' is not a int" in capsys.readouterr().err


# --- the combination of the final LSTM and the baseline --------------------------------

def test_combination_chooses_the_weight_on_validation_and_tests_on_test():
    # Labels alternate; the "LSTM" is right on the first half, the "baseline" on the second,
    # each confidently; averaged with equal weight, both halves come out right.
    labels = np.tile([1.0, 0.0], 10)
    first = np.arange(20) < 10
    lstm = np.where(first, np.where(labels == 1, 0.9, 0.1), np.where(labels == 1, 0.4, 0.6))
    tfidf = np.where(first, np.where(labels == 1, 0.4, 0.6), np.where(labels == 1, 0.9, 0.1))
    split = {"validation": lstm, "test": lstm}
    probabilities = {("final", 0): split,
                     ("tfidf", 0): {"validation": tfidf, "test": tfidf},
                     ("final", 1): split}  # no baseline with seed 1: no pair
    data = {"validation": (None, labels), "test": (None, labels)}
    result = imdb_bench.combine_runs(sentiment, probabilities, data)
    [run] = result["runs"]
    assert run["seed"] == 0 and run["weight_final"] == 0.5
    assert run["test_accuracy"] == 1.0 and result["test_accuracy_median"] == 1.0
    assert run["test_accuracy_final"] == run["test_accuracy_tfidf"] == 0.5
    assert run["disagreement"] == 1.0
    # 10 reviews that only the average gets right, none the other way: p = 2 / 2**10.
    assert run["p_average_vs_final"] == pytest.approx(2 / 2**10)
    assert run["p_final_vs_tfidf"] == 1.0  # 10 against 10


def test_combination_weight_and_average():
    a, b = np.array([0.9, 0.2]), np.array([0.1, 0.4])
    np.testing.assert_allclose(sentiment.combine_probabilities(a, b, 0.25), [0.3, 0.35])
    # Model a is always right and b always wrong: all the weight goes to a.
    assert sentiment.choose_combination_weight(a, b, [1, 0]) == 1.0
    assert sentiment.choose_combination_weight(b, a, [1, 0]) == 0.0
    with pytest.raises(ValueError, match="weight must be"):
        sentiment.combine_probabilities(a, b, 1.5)
    with pytest.raises(ValueError, match="same reviews"):
        sentiment.combine_probabilities(a, b[:1], 0.5)
    with pytest.raises(ValueError, match="2 probabilities but 3 labels"):
        sentiment.choose_combination_weight(a, b, [1, 0, 1])


# --- the whole script on tiny data ---------------------------------------------------------

def tiny_imdb(subsample=None, seed=0, **_):
    """Reviews of a few words; the label is whether "good" or "bad" is among them."""
    from rnncourse.data import Reviews

    rng = np.random.default_rng(seed)
    filler = ["movie", "plot", "actor", "scene", "story", "music", "end", "time"]

    def split(n):
        labels = rng.integers(0, 2, size=n)
        texts = [" ".join([*rng.choice(filler, size=rng.integers(3, 9)),
                           "good" if label else "bad", *rng.choice(filler, size=2)])
                 for label in labels]
        return Reviews(texts, labels.astype(np.int64))

    return split(120), split(80)


@pytest.mark.slow
def test_the_benchmark_runs_end_to_end_on_tiny_data(monkeypatch, tmp_path, capsys):
    import rnncourse.data

    monkeypatch.setattr(rnncourse.data, "load_imdb", tiny_imdb)
    output = tmp_path / "bench.json"
    imdb_bench.main(["--models", "final", "tfidf", "--repeats", "2", "--validation-size",
                     "40", "--tfidf-vocab-size", "50", "--output", str(output),
                     "--set", "vocab_size=20", "--set", "max_length=12",
                     "--set", "embedding_dim=4", "--set", "units=4", "--set", "epochs=1",
                     "--set", "batch_size=16"])
    report = json.loads(output.read_text())
    assert report["data"]["n_fit"] == 80 and report["data"]["n_test"] == 80
    combination = report["combination"]
    assert [run["seed"] for run in combination["runs"]] == [0, 1]
    for run in combination["runs"]:
        assert 0 <= run["weight_final"] <= 1
        assert 0 < run["p_average_vs_final"] <= 1 and 0 < run["p_final_vs_tfidf"] <= 1
        assert run["test_accuracy_final"] == pytest.approx(
            report["models"]["final"]["runs"][run["seed"]]["test_accuracy"])
    assert "average of LSTM and tf-idf" in capsys.readouterr().out

"""Chapter 4's prose claims, and its solution's, on the small run and the book's full-size run."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from small_parameters import SMALL_PARAMETERS

CHAPTER = "chapters/ch04_gru.md"
SOLUTION = "solutions/ch04_gru.md"
ROOT = Path(__file__).resolve().parents[2]


def read_notebook():
    sys.path.insert(0, str(ROOT))
    from tools.notebook_files import read

    return read(ROOT / CHAPTER)


def notebook_text(kind="markdown") -> str:
    notebook = read_notebook()
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind)


# --- section 2 ----------------------------------------------------------------------------

def test_numpy_gru_equals_keras_in_both_variants(chapter):
    assert chapter["gru_max_abs_diff"] < 1e-5
    assert chapter["gru_textbook_max_abs_diff"] < 1e-5


def test_the_two_reset_variants_are_different_functions(chapter):
    assert chapter["reset_variants_max_diff"] > 1e-3
    assert chapter["reset_variants_max_diff"] >= chapter["reset_variants_mean_diff"] > 0
    # "thousands of times the rounding error"
    assert chapter["reset_variants_max_diff"] > 1000 * chapter["gru_max_abs_diff"]


@pytest.mark.full_size
def test_full_size_gru_claims(full):
    assert full["gru_max_abs_diff"] < 1e-5 and full["gru_textbook_max_abs_diff"] < 1e-5
    assert full["reset_variants_max_diff"] > 1000 * max(full["gru_max_abs_diff"],
                                                        full["gru_textbook_max_abs_diff"])
    assert full["docstring_says_default_is_before"] is True


def test_keras_docstring_contradicts_its_default(chapter):
    """Section 2 says the class description says 'before' while the default is 'after'.

    If Keras fixes its docstring, this fails: update the chapter's paragraph then.
    """
    import keras

    doc = " ".join(keras.layers.GRU.__doc__.split())
    assert "The default one is based" in doc
    assert "has reset gate applied to hidden state before matrix multiplication" in doc
    assert keras.layers.GRU(2).reset_after is True
    assert chapter["docstring_says_default_is_before"] is True
    assert "says the\nopposite of this chapter" in notebook_text() or \
        "says the opposite of this chapter" in " ".join(notebook_text().split())


def test_the_claim_both_train_fine_is_gone():
    assert "train fine" not in notebook_text()


def test_one_unit_reset_variants_differ_only_by_the_bias():
    """Check-your-understanding 2: with one unit, r (h U) = (r h) U; only the bias moves."""
    import keras

    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3, 3)).astype("float32")
    recurrent = rng.normal(size=(1, 3)).astype("float32")
    bias = np.stack([rng.normal(size=3), np.zeros(3)]).astype("float32")  # no recurrent bias
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    outputs = []
    for reset_after, b in [(True, bias), (False, bias[0])]:
        layer = keras.layers.GRU(1, reset_after=reset_after)
        layer.build((None, None, 3))
        layer.set_weights([kernel, recurrent, b])
        outputs.append(np.asarray(layer(x)))
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-6)


# --- section 3 ----------------------------------------------------------------------------

def test_parameter_formulas_match_keras(chapter):
    for d, u, lstm, lstm_keras, gru, gru_keras, textbook, textbook_keras in \
            chapter["gru_param_rows"]:
        assert lstm == lstm_keras == 4 * (u * (d + u) + u)
        assert gru == gru_keras == 3 * (u * (d + u) + 2 * u)
        assert textbook == textbook_keras == 3 * (u * (d + u) + u)
        assert 0.75 < gru / lstm <= 0.8  # "about three quarters" (input_dim + units >= 14)


def test_the_question_on_parameters():
    """Check-your-understanding 3: GRU(64) 18,816, LSTM(64) 24,832 on 32 features."""
    import keras

    counts = []
    for layer in (keras.layers.GRU(64), keras.layers.LSTM(64)):
        layer.build((None, None, 32))
        counts.append(layer.count_params())
    assert counts == [18_816, 24_832]
    assert round(counts[0] / counts[1], 3) == 0.758


@pytest.mark.full_size
def test_full_size_parameter_table_has_the_64_unit_row(full):
    rows = {row[1]: row for row in full["gru_param_rows"]}
    assert rows[64][4] == 18_816 and rows[64][2] == 24_832


def test_speed_measurement_is_consistent(chapter):
    times = chapter["epoch_seconds"]
    assert set(times) == {"LSTM", "GRU"}
    assert all(t > 0 for layer_times in times.values() for t in layer_times)
    assert chapter["lstm_epoch_seconds"] == pytest.approx(float(np.median(times["LSTM"])))
    assert chapter["gru_epoch_seconds"] == pytest.approx(float(np.median(times["GRU"])))
    ratio = chapter["lstm_gru_time_ratio"]
    assert ratio == pytest.approx(chapter["lstm_epoch_seconds"] / chapter["gru_epoch_seconds"])
    verdict = chapter["speed_verdict"]
    expected = "GRU was clearly" if ratio > 1.1 else "LSTM was clearly" if ratio < 1 / 1.1 \
        else "neither"
    assert expected in verdict


# --- section 4 ----------------------------------------------------------------------------

def test_long_range_table_is_complete_and_consistent(chapter):
    lengths = SMALL_PARAMETERS[CHAPTER]["TASK_LENGTHS"]
    accuracy = chapter["task_accuracy"]
    assert set(accuracy) == {"SimpleRNN", "LSTM", "GRU"}
    for layer_accuracy in accuracy.values():
        assert sorted(layer_accuracy) == sorted(lengths)
        assert all(0 <= a <= 1 for a in layer_accuracy.values())
    assert chapter["gru_ahead"] + chapter["lstm_ahead"] + chapter["close_calls"] \
        == chapter["task_lengths_count"] == len(lengths)
    params = chapter["task_params"]
    assert params["SimpleRNN"] < params["GRU"] < params["LSTM"]
    assert chapter["task_chance"] == 0.25


def summary_follows_from_the_table(values, near_chance):
    """The summary: the SimpleRNN's best accuracy, the count of lengths where a gated layer
    is clearly ahead, and which gated layers are clearly ahead at the longest length."""
    accuracy, margin = values["task_accuracy"], 0.05
    lengths = sorted(accuracy["SimpleRNN"])
    simple = accuracy["SimpleRNN"]
    assert values["simple_rnn_best"] == max(simple.values())
    if near_chance is not None:  # the small run's one epoch proves nothing about it
        assert values["simple_rnn_best"] < values["task_chance"] + near_chance
    assert values["gated_beat_simple"] == sum(
        max(accuracy["LSTM"][n], accuracy["GRU"][n]) > simple[n] + margin for n in lengths)
    longest = lengths[-1]
    ahead = [f"the {layer}" for layer in ("LSTM", "GRU")
             if accuracy[layer][longest] > simple[longest] + margin]
    assert values["longest_ahead_of_simple"] == (" and ".join(ahead) or "neither gated layer")


def test_summary_follows_from_the_table(chapter):
    summary_follows_from_the_table(chapter, near_chance=None)


@pytest.mark.full_size
def test_full_size_summary_follows_from_the_table(full):
    summary_follows_from_the_table(full, near_chance=0.05)


# --- the chapter's shape ------------------------------------------------------------------

def test_chapter_has_a_variants_box_and_short_code_cells():
    text = notebook_text()
    assert "Variants and conventions" in text
    for key in ("cho2014", "chung2014", "pytorch_gru", "cudnn_rnn"):
        assert key in text, key
    notebook = read_notebook()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert len("".join(cell["source"]).splitlines()) <= 30, cell["source"][:2]


# --- the solution -------------------------------------------------------------------------

def test_solution_passes_both_checks_and_matches_keras(solution):
    printed = solution.printed
    assert "✓ gru_step_torch matches" in printed
    assert "✓ torch_gru_to_keras matches" in printed
    assert solution["solution_gru_max_abs_diff"] < 1e-5


@pytest.mark.parametrize("bad, message", [({"TASK_LENGTHS": []}, "TASK_LENGTHS must be"),
                                          ({"SPEED_REPEAT": 3}, "unknown parameter")])
def test_a_bad_parameter_stops_the_chapter_at_once(bad, message, tmp_path):
    import papermill
    from notebooks import execute

    with pytest.raises(papermill.PapermillExecutionError, match=message):
        execute(CHAPTER, bad, tmp_path)

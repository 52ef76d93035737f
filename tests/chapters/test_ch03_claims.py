"""Chapter 3's prose claims, and its solution's, on the small run and the book's full-size run."""

from __future__ import annotations

import math
import re

import pytest
from notebooks import source
from small_parameters import SMALL_PARAMETERS

CHAPTER = "chapters/ch03_lstm.md"
SOLUTION = "solutions/ch03_lstm.md"


# --- section 1: the cell path, measured on its own ---------------------------------------

def check_gradient_claims(values, max_factor):
    # "more gradient as b_f grows", on the warmed-up probe
    assert values["grad_left_lstm_b0"] < values["grad_left_lstm_b1"] \
        < values["grad_left_lstm_b3"]
    # the control, from zero states: the b_f = 3 curve falls, then rises again
    assert 0 < values["grad_b3_cold_min_lag"] < values["grad_far"]
    assert values["grad_b3_cold_min"] < 0.75 * values["grad_b3_cold_far"]
    # the cell path alone follows the product of the forget gates ...
    assert 1.0 <= values["cell_product_max_factor"] < max_factor
    for b_f in ("0", "1", "3"):
        ratio = values[f"cell_left_b{b_f}"] / values[f"forget_product_b{b_f}"]
        assert 1 / max_factor <= ratio <= max_factor, b_f
    assert values["cell_left_b0"] < values["cell_left_b1"] < values["cell_left_b3"] < 0.5
    # ... and carries less than half of the b_f = 3 layer's gradient at the first input
    assert values["cell_share_b3"] < 0.5
    assert values["cell_left_b3"] < values["grad_left_lstm_b3"]
    assert 0.93 < values["forget_mean_b3"] < 0.97  # sigma(3) = 0.953


def test_cell_path_follows_the_forget_product(chapter):
    check_gradient_claims(chapter, max_factor=4.0)


@pytest.mark.full_size
def test_cell_path_follows_the_forget_product_full_size(full):
    check_gradient_claims(full, max_factor=2.5)
    # the numbers: the cell path keeps well under 1% at lag 99, a few percent of
    # the whole layer's gradient there; Keras' default (b_f = 1) keeps more than the
    # SimpleRNN with this probe, b_f = 0 less
    assert full["grad_far"] == 99 and full["grad_burn_in"] == 200
    assert full["cell_left_b3"] < 0.01 and full["forget_product_b3"] < 0.01
    assert full["cell_share_b3"] < 0.05
    assert full["grad_left_lstm_b1"] > full["grad_left_simple_rnn"] > full["grad_left_lstm_b0"]
    # after the burn-in the b_f = 3 curve is flat: it neither fades nor rises
    assert full["grad_b3_warm_min"] > 0.1
    assert full["grad_b3_warm_max"] < 2 * full["grad_b3_warm_min"]


# What section 1 says about the b_f = 3 curves and the cell path's share, as the reader
# sees it: the Markdown with every {glue:text} replaced by the run's value.
GLUE = re.compile(r"\{glue:text\}`(?P<name>[a-z0-9_]+)(?::(?P<spec>[^`]*))?`")
NUMBER = r"(\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
WARM = re.compile(r"From lag (\d+) to lag (\d+) it stays between " + NUMBER + " and "
                  + NUMBER + r": flat")
COLD = re.compile(r"falls to " + NUMBER + r" at lag (\d+), then rises again, to " + NUMBER
                  + " at the first input")
SHARE = re.compile(r"carries only " + NUMBER + r"% of the whole layer's gradient")
SUMMARY = re.compile(r"the cell path carried only " + NUMBER + r"% of it")


def rendered_prose(values) -> str:
    """The chapter's Markdown cells with the glued values filled in, one line per cell."""
    def fill(match):
        return format(values[match["name"]], match["spec"] or "")

    cells = [c.source for c in source(CHAPTER).cells if c.cell_type == "markdown"]
    return "\n".join(GLUE.sub(fill, " ".join(cell.split())) for cell in cells)


def prose_numbers(values) -> dict:
    """The numbers the b_f = 3 sentences state; each sentence must be in the chapter once."""
    text = rendered_prose(values)
    found = {}
    for name, pattern in [("warm", WARM), ("cold", COLD), ("share", SHARE),
                          ("summary", SUMMARY)]:
        matches = [match.groups() for match in pattern.finditer(text)]
        assert len(matches) == 1, f"the {name} sentence ({pattern.pattern!r}): {matches}"
        found[name] = [float(number) for number in matches[0]]
    return found


def check_prose_matches_numbers(values):
    """The sentences quote the values the run glued, in the order the claims use them."""
    numbers = prose_numbers(values)
    flat_from, far, low, high = numbers["warm"]
    assert (flat_from, far) == (values["grad_flat_from"], values["grad_far"])
    assert low == pytest.approx(values["grad_b3_warm_min"], abs=0.006)
    assert high == pytest.approx(values["grad_b3_warm_max"], abs=0.006)
    cold_min, cold_lag, cold_far = numbers["cold"]
    assert cold_lag == values["grad_b3_cold_min_lag"]
    assert cold_min == pytest.approx(values["grad_b3_cold_min"], abs=0.006)
    assert cold_far == pytest.approx(values["grad_b3_cold_far"], abs=0.006)
    for name in ("share", "summary"):
        assert numbers[name][0] == pytest.approx(100 * values["cell_share_b3"], abs=0.06)
    return numbers


def test_prose_quotes_the_b3_curves_and_the_cell_share(chapter):
    check_prose_matches_numbers(chapter)


@pytest.mark.full_size
def test_prose_on_the_b3_curves_is_true_full_size(full):
    """What the words say, checked on the numbers the book prints beside them."""
    numbers = check_prose_matches_numbers(full)
    _, _, low, high = numbers["warm"]
    assert low > 0.1 and high < 2 * low  # "flat"
    cold_min, _, cold_far = numbers["cold"]
    assert cold_min < 0.75 * cold_far  # "falls ..., then rises again"
    assert numbers["share"][0] < 5  # "only ... %": a small share


def test_burn_in_is_a_checked_parameter():
    notebook = source(CHAPTER)
    code = "".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "GRAD_BURN_IN = 200" in code and 'GRAD_BURN_IN="non-negative int"' in code
    assert SMALL_PARAMETERS[CHAPTER]["GRAD_BURN_IN"] < 200


def test_the_question_on_a_095_forget_gate():
    """Check-your-understanding 1: 0.95**99 is less than one percent."""
    assert 0.005 < 0.95 ** 99 < 0.01
    assert 0.3 < 0.99 ** 99 < 0.4  # "0.99**99 is about 0.37"


# --- sections 2-4 -------------------------------------------------------------------------

def test_numpy_lstm_equals_keras(chapter):
    assert chapter["gate_by_gate_max_abs_diff"] < 1e-5
    assert chapter["lstm_max_abs_diff"] < 1e-5
    assert chapter["imdb_state_max_abs_diff"] < 1e-5


@pytest.mark.full_size
def test_numpy_lstm_equals_keras_full_size(full):
    for key in ("gate_by_gate_max_abs_diff", "lstm_max_abs_diff", "imdb_state_max_abs_diff"):
        assert full[key] < 1e-5, key


def test_parameter_formula_matches_keras(chapter):
    rows = chapter["lstm_param_rows"]
    assert len(rows) >= 3
    for input_dim, units, formula, keras_count in rows:
        assert formula == keras_count == 4 * (units * (input_dim + units) + units)


def test_the_question_on_parameters():
    """Check-your-understanding 3: LSTM(64) on 100 features has 42,240 parameters."""
    import keras

    layer = keras.layers.LSTM(64)
    layer.build((None, None, 100))
    assert layer.count_params() == 42_240


def test_keras_starts_the_forget_bias_at_one(chapter):
    assert chapter["initial_forget_bias"] == 1.0


def test_keras_lstm_has_no_peephole_weights():
    """The variants box: Keras' LSTM holds only kernel, recurrent kernel and bias."""
    import keras

    layer = keras.layers.LSTM(3)
    layer.build((None, None, 2))
    assert [tuple(w.shape) for w in layer.weights] == [(2, 12), (3, 12), (12,)]


# --- section 5 ----------------------------------------------------------------------------

def test_gate_readout_is_consistent(chapter):
    assert 0.0 < chapter["review_gate_min"] <= chapter["review_gate_max"] < 1.0
    for name in ("review_forget_mean", "review_input_mean", "review_output_mean"):
        assert chapter["review_gate_min"] <= chapter[name] <= chapter["review_gate_max"]
    assert 0 <= chapter["review_agreeing_units_percent"] <= 100
    assert 0 < chapter["review_top3_jump_share"] <= 1
    assert chapter["review_words"] <= chapter["review_max_words"]
    assert chapter["review_label"] in ("positive", "negative")
    assert 0.0 <= chapter["imdb_test_accuracy"] <= 1.0


def test_reviews_keep_their_last_tokens_as_in_chapter_6():
    """Section 5 keeps each review's end, like chapter 6 (rnncourse.sentiment.pad)."""
    notebook = source(CHAPTER)
    code = "".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert 'pad(encode(vectorize, train.texts), SEQUENCE_LENGTH, padding="post")' in code
    assert "output_sequence_length" not in code
    import numpy as np

    from rnncourse.sentiment import pad

    kept = pad([np.arange(1, 8)], 3, padding="post")
    assert kept.tolist() == [[5, 6, 7]]


@pytest.mark.full_size
def test_full_size_gates_are_graded_and_accuracy_beats_guessing(full):
    assert 0.0 < full["review_gate_min"] <= full["review_gate_max"] < 1.0
    assert full["imdb_test_accuracy"] > 0.6


# --- the chapter's shape --------------------------------------------------------------------

def test_chapter_has_a_variants_box_and_short_code_cells():
    notebook = source(CHAPTER)
    text = "".join(c.source for c in notebook.cells)
    assert "Variants and conventions" in text and "{cite}`greff2017`" in text
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= 30, cell.source[:80]


# --- the solution ---------------------------------------------------------------------------

def test_solution_passes_its_checks_and_matches_keras(solution):
    printed = solution.printed
    assert "✓ cifg_step matches" in printed
    assert "✓ cifg_to_lstm matches" in printed
    assert solution["solution_cifg_max_abs_diff"] < 1e-5


def test_solution_cifg_cell_stays_bounded(solution):
    """Part 3: the coupled cell is a running average, the standard one is not."""
    assert solution["cifg_cell_max"] < 1.0
    assert solution["lstm_cell_max"] > 2.0
    assert solution["lstm_cell_max"] == pytest.approx(solution["lstm_cell_limit"], rel=0.05)
    assert math.isfinite(solution["lstm_cell_limit"])


@pytest.mark.parametrize("bad, message", [({"GRAD_STEPS": True}, "GRAD_STEPS must be"),
                                          ({"EPOCH": 3}, "unknown parameter")])
def test_a_bad_parameter_stops_the_chapter_at_once(bad, message, tmp_path):
    import papermill
    from notebooks import execute

    with pytest.raises(papermill.PapermillExecutionError, match=message):
        execute(CHAPTER, bad, tmp_path)

"""Chapter 5's prose claims, and its solution's, on the small run and the book's full-size run."""

from __future__ import annotations

import math

import pytest
from notebooks import source
from small_parameters import SMALL_PARAMETERS

CHAPTER = "chapters/ch05_deeper_and_generating.md"
SOLUTION = "solutions/ch05_deeper_and_generating.md"
SMALL = SMALL_PARAMETERS[CHAPTER]


def gru_lm_params(vocab, embedding, units, layers):
    params, features = vocab * embedding, embedding
    for _ in range(layers):
        params += 3 * (units * (features + units) + 2 * units)
        features = units
    return params + units * vocab + vocab


# --- sections 1 and 2: stacking, and a bidirectional layer ----------------------------------

def test_stack_needs_return_sequences_and_its_parameters_add_up(chapter):
    assert chapter["stack_without_sequences_fails"] is True
    units, input_dim = 5, 4  # the chapter's defaults, not overridden by the small run
    assert chapter["stack_params"] == (units * (input_dim + units + 1)
                                       + 2 * units * (units + 2 * units + 1))


def test_numpy_bidirectional_equals_keras(chapter):
    assert chapter["bidirectional_max_abs_diff"] < 1e-5
    assert chapter["bidirectional_output_width"] == 2 * 5


def test_a_later_input_moves_only_the_backward_half_of_earlier_outputs(chapter):
    assert chapter["forward_change_before"] == 0.0
    assert chapter["backward_change_before"] > 1e-3


# --- section 3: data and the n-gram baseline ----------------------------------------------

def test_data_and_baseline_are_consistent(chapter):
    assert chapter["train_reviews"] == SMALL["TRAIN_REVIEWS"]
    assert chapter["uniform_bits"] == pytest.approx(math.log2(chapter["vocab_size"]))
    assert 0 <= chapter["unknown_share"] < 0.01
    bits = chapter["ngram_bits"]
    assert sorted(bits) == sorted(SMALL["NGRAM_ORDERS"])
    assert chapter["baseline_bits"] == min(bits.values()) == bits[chapter["best_order"]]
    assert chapter["baseline_perplexity"] == pytest.approx(2 ** chapter["baseline_bits"])
    # Counting a context helps: the best order beats single-character frequencies,
    # which beat the uniform guess.
    assert chapter["baseline_bits"] < bits[1] < chapter["uniform_bits"]
    longest = max(SMALL["NGRAM_ORDERS"])
    assert ("help up to" in chapter["ngram_trend"]) == (chapter["best_order"] < longest)
    assert chapter["ngram_orders_count"] == len(SMALL["NGRAM_ORDERS"])
    assert chapter["ngram_seconds"] > 0
    assert 100 < chapter["mean_review_chars"] < 10_000


# --- section 4: the language model and depth ------------------------------------------------

def test_depth_table_is_consistent(chapter):
    rows = chapter["depth_rows"]
    assert [row["layers"] for row in rows] == chapter["depths"]
    for row in rows:
        assert row["params"] == gru_lm_params(chapter["vocab_size"], 16, SMALL["LM_UNITS"],
                                              row["layers"])
        assert row["seconds_per_epoch"] > 0
    assert chapter["depth_param_ratio"] == pytest.approx(rows[-1]["params"] / rows[0]["params"])
    assert chapter["depth_bits_gain"] == pytest.approx(rows[0]["bits"] - rows[-1]["bits"])
    assert chapter["lm_bits"] == rows[0]["bits"]
    assert chapter["best_depth"] == min(rows, key=lambda row: row["bits"])["layers"]
    gain = chapter["depth_bits_gain"]
    verdict = chapter["depth_verdict"]
    assert ("paid off even" in verdict) == (gain > 0.02)
    assert ("did not pay off" in verdict) == (gain < -0.02)


def test_the_curve_starts_at_a_uniform_guess_and_falls(chapter):
    for curve in chapter["lm_curves"].values():
        assert curve[0][0] == 0
        assert curve[0][1] == pytest.approx(chapter["uniform_bits"], abs=0.1)
        assert curve[-1][1] < curve[0][1]
        assert len(curve) == 1 + SMALL["EPOCHS"] * SMALL["EVALS_PER_EPOCH"]
        assert curve[1][0] > 0


def test_rnn_against_ngram_verdict_matches_the_numbers(chapter):
    gap = chapter["lm_bits"] - chapter["baseline_bits"]
    expected = "below" if gap < -0.02 else "above" if gap > 0.02 else "within"
    assert chapter["rnn_vs_ngram"].startswith(expected)
    assert chapter["lm_perplexity"] == pytest.approx(2 ** chapter["lm_bits"])
    curve = chapter["lm_curves"][chapter["depths"][0]]
    assert chapter["lm_last_drop"] == pytest.approx(curve[-2][1] - curve[-1][1])
    assert ("still falling" in chapter["lm_still_falling"]) == (chapter["lm_last_drop"] > 0.01)


# --- section 5: truncated BPTT --------------------------------------------------------------

def test_untruncated_gradient_is_the_full_gradient(chapter):
    cosines = chapter["tbptt_cosines"]
    assert cosines[SMALL["TBPTT_LENGTH"]] == pytest.approx(1.0, abs=1e-5)
    assert all(-1 - 1e-6 <= c <= 1 + 1e-6 for c in cosines.values())
    assert chapter["tbptt_shortest_cosine"] == cosines[min(SMALL["TBPTT_CHUNKS"])] < 1 - 1e-6


def test_truncated_training_makes_more_updates_on_the_same_text(chapter):
    ratio = SMALL["TBPTT_LENGTH"] // SMALL["TBPTT_TRAIN_CHUNK"]
    assert chapter["tbptt_truncated_updates"] == ratio * chapter["tbptt_full_updates"]
    for row in chapter["tbptt_rows"]:
        assert row["seconds"] > 0 and math.isfinite(row["bits"])
    gain = chapter["tbptt_full_bits"] - chapter["tbptt_truncated_bits"]
    verdict = chapter["tbptt_verdict"]
    assert ("paid off" in verdict) == (gain > 0.02)
    assert ("did not" in verdict) == (gain < -0.02)


# --- sections 6 and 7: the cheat, sampling ----------------------------------------------------

def test_cheat_experiment_ran_both_models(chapter):
    assert set(chapter["cheat_bits"]) == {"GRU", "bidirectional GRU"}


def test_temperature_sharpens_and_flattens(chapter):
    entropy = chapter["next_char_entropy"]
    temperatures = sorted(entropy)
    assert temperatures == sorted(SMALL["TEMPERATURES"])
    values = [entropy[t] for t in temperatures]
    assert values == sorted(values) and values[0] < values[-1]
    assert values[-1] <= chapter["uniform_bits"] + 1e-9


def test_samples_have_the_asked_length(chapter):
    samples = chapter["samples"]
    assert sorted(samples) == sorted(SMALL["TEMPERATURES"])
    assert all(len(text) == SMALL["SAMPLE_LENGTH"] for text in samples.values())
    assert all(0 <= share <= 1 for share in chapter["known_words"].values())
    for tau, share in chapter["known_words"].items():
        assert f"{share:.0%} at τ = {tau}" in chapter["known_words_summary"]


def test_chapter_asks_why_a_bidirectional_layer_cannot_predict():
    """The issue's example question; the format of every question is a hygiene test."""
    notebook = source(CHAPTER)
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    questions = [m for m in markdown if "**Check your understanding.**" in m]
    assert any("bidirectional" in q and "predict" in q for q in questions)


# --- the solution ------------------------------------------------------------------------------

def test_solution_passes_every_check_and_matches_keras(solution):
    printed = solution.printed
    for name in ("merge_directions", "bidirectional_forward", "stacked_bidirectional"):
        assert f"✓ {name} matches" in printed
    assert solution["solution_stack_max_abs_diff"] < 1e-5


# --- the full-size run the book shows ------------------------------------------------------------

@pytest.mark.full_size
def test_full_size_bidirectional_claims(full):
    assert full["bidirectional_max_abs_diff"] < 1e-5
    assert full["forward_change_before"] == 0.0 and full["backward_change_before"] > 1e-3


@pytest.mark.full_size
def test_full_size_language_model_learns(full):
    assert full["ngram_bits"][1] > full["baseline_bits"] + 1.0  # context helps a lot
    for curve in full["lm_curves"].values():
        assert curve[-1][1] < curve[0][1] - 1.5  # well below the uniform guess


@pytest.mark.full_size
def test_full_size_depth_costs_time_and_parameters(full):
    assert full["depth_param_ratio"] > 1.5
    assert full["depth_time_ratio"] > 1.0  # "each layer adds ... work at every step"


@pytest.mark.full_size
def test_full_size_truncated_gradient_is_close_to_the_full_one(full):
    cosines = full["tbptt_cosines"]
    assert cosines[max(cosines)] == pytest.approx(1.0, abs=1e-5)
    assert full["tbptt_shortest_cosine"] > 0.8  # "points almost where the full one does"


@pytest.mark.full_size
def test_full_size_bidirectional_model_cheats(full):
    cheat = full["cheat_bits"]
    # "far below the unidirectional one's, and below anything the counted baseline or the
    # larger models of section 4 reached"
    assert cheat["bidirectional GRU"] < cheat["GRU"] - 1.0
    assert cheat["bidirectional GRU"] < full["baseline_bits"]
    assert cheat["bidirectional GRU"] < min(row["bits"] for row in full["depth_rows"])


@pytest.mark.full_size
def test_full_size_samples_run_from_real_words_to_invented_ones(full):
    known = full["known_words"]
    coldest, hottest = min(known), max(known)
    assert known[coldest] > known[hottest]
    assert known[coldest] > 0.5  # "repeats its most likely words and phrases"


@pytest.mark.full_size
def test_full_size_notebook_fits_its_time_estimate(full):
    # "about three minutes" on an idle 2-core CPU; the bound leaves room for a busy CI
    # machine but fails if the notebook grows into a long run.
    assert full["run_seconds"] < 600

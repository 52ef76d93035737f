"""Chapter 6's prose claims: on the small papermill run, and (full_size) on the book's run.

The small run checks that every recorded value exists and is sane; the full-size tests
pin what the prose says about the numbers the book shows.
"""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest
from notebooks import ROOT, source
from small_parameters import SMALL_PARAMETERS

from rnncourse import sentiment

CHAPTER = "chapters/ch06_imdb_sentiment.md"
COMPARED = ["tf-idf bigrams + logistic", "SimpleRNN", "LSTM", "GRU", "BiLSTM"]
VERDICTS = {"more accurate than", "less accurate than", "indistinguishable from"}


def source_cells(kind: str):
    notebook = source(CHAPTER)
    return [c for c in notebook.cells if c.cell_type == kind]


def default_parameters() -> dict:
    cell = next(c for c in source_cells("code") if "parameters" in c.metadata.get("tags", []))
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(cell.source).body if isinstance(node, ast.Assign)}


# --- the notebook's source ------------------------------------------------------------

def test_chapter_defaults_are_the_benchmarked_final_model():
    defaults = default_parameters()
    assert defaults["SUBSAMPLE"] == 0  # the reader's run uses all the data
    for key, value in sentiment.FINAL.items():
        assert defaults[key.upper()] == value, key


def test_no_code_cell_is_over_30_lines():
    long = [(c.id, len(c.source.splitlines())) for c in source_cells("code")
            if len(c.source.splitlines()) > 30]
    assert not long


def test_parameters_are_checked_by_the_shared_helper():
    code = "\n".join(c.source for c in source_cells("code"))
    assert "check_parameters(\n    globals()," in code


# --- the small run ----------------------------------------------------------------------

def test_recorded_values_are_not_shown_as_cell_output(chapter):
    """record(...) returns its value; a cell ending on it would print raw numbers."""
    shown = [cell.source.splitlines()[-1] for cell in chapter.notebook.cells
             if any(o.get("output_type") == "execute_result" for o in cell.get("outputs", []))]
    assert not shown


def test_data_and_split_are_sane(chapter):
    assert chapter["n_fit"] + chapter["n_validation"] == chapter["n_train"]
    for name in ("train_positive_share", "test_positive_share"):
        assert chapter[name] == 0.5  # class-balanced subsample
    assert 0.3 < chapter["validation_positive_share"] < 0.7
    assert 0 < chapter["share_within_max_length"] <= 1
    assert chapter["median_tokens"] <= chapter["p90_tokens"] <= chapter["max_tokens"]


def test_vocabulary_reserves_padding_and_unknown(chapter):
    assert chapter["vocab_size"] == SMALL_PARAMETERS[CHAPTER]["VOCAB_SIZE"]
    assert chapter["example_unknown_ids"] >= 1  # the made-up word
    assert 0 < chapter["train_unknown_share"] < 1


def test_padding_experiment_and_mask_proof(chapter):
    for name in ("post_accuracy", "pre_accuracy", "mask_accuracy"):
        assert 0 <= chapter[name] <= 1
    assert chapter["mask_padding_difference"] < 1e-5  # masked: padding does not matter


def test_final_model_trained_and_evaluated_once(chapter):
    assert 1 <= chapter["final_best_epoch"] <= chapter["final_epochs_run"]
    assert chapter["final_train_seconds"] > 0
    assert 0 <= chapter["test_accuracy"] <= 1
    confusion = np.array(chapter["confusion_matrix"])
    assert confusion.sum() == chapter["n_test"]
    assert np.trace(confusion) / confusion.sum() == pytest.approx(chapter["test_accuracy"])
    assert 0 < chapter["bucketed_step_share"] <= 1


def test_comparison_table_has_every_model_and_a_paired_test(chapter):
    table = chapter["comparison"]
    assert list(table) == COMPARED
    for row in table.values():
        assert 0 <= row["test_accuracy"] <= 1
        assert 0 <= row["p_vs_lstm"] <= 1
        assert row["parameters"] > 0 and row["seconds_per_epoch"] > 0
    assert table["LSTM"]["p_vs_lstm"] == 1.0  # a model against itself
    assert table["GRU"]["parameters"] < table["LSTM"]["parameters"] \
        < table["BiLSTM"]["parameters"]
    for key in ("baseline", "simplernn", "gru", "bilstm"):
        assert chapter[f"{key}_vs_lstm"] in VERDICTS


def test_combination_chosen_on_validation_and_tested_once(chapter):
    assert 0 <= chapter["combination_weight"] <= 1
    assert 0 <= chapter["combined_accuracy"] <= 1
    for key in ("combined_vs_lstm", "combined_vs_baseline", "baseline_full_vs_lstm"):
        assert chapter[key] in VERDICTS
        assert re.fullmatch(r"p (= [0-9.e-]+|< 0\.0001)", chapter[key + "_p"]), key
    assert chapter["disagreement_share"] == pytest.approx(
        chapter["lstm_only_right_share"] + chapter["baseline_only_right_share"])


def test_end_to_end_model_matches_the_id_pipeline(chapter):
    assert chapter["end_to_end_max_difference"] < 1e-4
    assert chapter["saved_model_megabytes"] > 0


# --- the book's full-size run -----------------------------------------------------------

@pytest.mark.full_size
def test_default_run_clears_the_accuracy_floor(full):
    """The floor for the chapter's default run; the 89% goal lives in `make bench`."""
    assert full["n_test"] == 25_000
    assert full["test_accuracy"] >= 0.86


@pytest.mark.full_size
def test_comparison_table_has_every_model(full):
    assert list(full["comparison"]) == COMPARED


@pytest.mark.full_size
def test_padding_claims_hold_at_full_size(full):
    """Section 4 and the summary: post-padding without a mask loses much of the accuracy."""
    assert full["post_accuracy"] < min(full["pre_accuracy"], full["mask_accuracy"]) - 0.1
    assert full["mask_padding_difference"] < 1e-5


@pytest.mark.full_size
def test_prose_claims_about_cost_and_size(full):
    assert full["bucketed_step_share"] < 0.6  # "the LSTM then runs far fewer steps"
    assert full["embedding_parameter_share"] > 0.5  # "the embedding holds most"
    assert full["share_within_max_length"] > 0.5  # "keeps most reviews whole" (caption)


@pytest.mark.full_size
def test_baseline_is_a_match_for_the_lstm(full):
    """Section 7: on this budget and on all the data, the LSTM does not beat the baseline."""
    assert full["baseline_vs_lstm"] in ("indistinguishable from", "more accurate than")
    assert full["baseline_full_vs_lstm"] in ("indistinguishable from", "more accurate than")


@pytest.mark.full_size
def test_the_average_of_both_beats_each_model(full):
    """Section 7: they err on different reviews, and the average earns the LSTM its place."""
    assert full["disagreement_share"] > 0.05
    assert full["lstm_only_right_share"] > 0.02
    assert full["combined_vs_baseline"] == "more accurate than"
    assert full["combined_vs_lstm"] == "more accurate than"


# --- the solution (helper ex06; the checks' own tests: tests/checks/test_ch06_checks.py) --

SOLUTION = "solutions/ch06_imdb_sentiment.md"


def test_solution_passes_its_three_checks(solution):
    printed = solution.printed
    assert "✓ build_model makes Embedding → GRU → Dense(1, sigmoid)" in printed
    assert "✓ train fits on fit_data" in printed and "restores the best epoch's" in printed
    assert "✓ The model reads integer token ids through a GRU layer" in printed
    assert solution["recurrent_layer"] == "GRU"
    assert solution["validation_accuracy"] >= SMALL_PARAMETERS[SOLUTION]["MIN_ACCURACY"]
    assert 0 <= solution["test_accuracy"] <= 1


def test_solution_shows_no_recorded_value_as_cell_output(solution):
    shown = [cell.source.splitlines()[-1] for cell in solution.notebook.cells
             if any(o.get("output_type") == "execute_result" for o in cell.get("outputs", []))]
    assert not shown


# --- how many reviews the final model is fitted on (issue 19, finding 10) ---------------

def _markdown_prose() -> str:
    cells = source(CHAPTER).cells
    return " ".join(" ".join(c.source for c in cells if c.cell_type == "markdown").split())


def test_chapter_6_says_the_final_model_is_fitted_on_the_glued_n_fit():
    text = _markdown_prose()
    assert "trains the final model on all 25,000 training reviews" not in text
    assert "final model trained on all the data" not in text
    time_box = text[text.index("**Time:**"):text.index("```", text.index("**Time:**"))]
    assert "{glue:text}`n_fit:,`" in time_box


def test_intro_and_where_next_give_the_fitted_count_the_code_defines():
    fitted = f"{25_000 - sentiment.FINAL['validation_size']:,}"
    for page in ("intro.md", "where-next.md"):
        text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
        assert "50,000 reviews" not in text.replace("50,000 reviews from IMDB", "")
        assert f"trained on {fitted}" in text, page

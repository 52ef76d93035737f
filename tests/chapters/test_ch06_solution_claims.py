"""Solution 6 on its small papermill run: its checks pass, and what it claims holds.

The checks' own tests (right and deliberately wrong answers) are in
``tests/checks/test_ch06_checks.py``.
"""

from __future__ import annotations

from small_parameters import SMALL_PARAMETERS

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

"""Chapter 1's prose claims, and its exercise's, on the small run and the book's full-size run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHAPTER = "chapters/ch01_recurrent_loop.md"
SOLUTION = "solutions/ch01_recurrent_loop.md"
ROOT = Path(__file__).resolve().parents[2]


def numpy_equals_keras(values):
    assert values["simple_rnn_max_difference"] < 1e-6


def parameter_formula_holds(values):
    for input_dim, units, count in values["simple_rnn_param_checks"]:
        assert count == units * (input_dim + units + 1)


def rnn_learns_what_memoryless_cannot(values, far_below, tolerance):
    """"far below" the memoryless model, which sits at its predicted floor 1 - 2/(T+1)."""
    assert values["simple_rnn_test_mse"] < far_below * values["memoryless_test_mse"]
    assert values["memoryless_floor"] == pytest.approx(1 - 2 / (values["task_length"] + 1))
    ratio = values["memoryless_ratio"]
    assert ratio == pytest.approx(values["memoryless_test_mse"] / values["zero_test_mse"])
    assert abs(ratio - values["memoryless_floor"]) < tolerance


def scaling_keeps_the_state_in_the_steep_part(values):
    """The raw targets push the state further into tanh's curve; both runs learn the task."""
    assert values["tanh_slope_scaled"] > values["tanh_slope_raw"]
    assert values["relative_mse_scaled"] < 0.1 and values["relative_mse_raw"] < 0.1
    assert 0 <= values["saturated_scaled"] <= 1 and 0 <= values["saturated_raw"] <= 1


def test_small_run_claims(chapter):
    numpy_equals_keras(chapter)
    parameter_formula_holds(chapter)
    rnn_learns_what_memoryless_cannot(chapter, far_below=0.5, tolerance=0.1)
    scaling_keeps_the_state_in_the_steep_part(chapter)


@pytest.mark.full_size
def test_full_size_claims(full):
    numpy_equals_keras(full)
    parameter_formula_holds(full)
    rnn_learns_what_memoryless_cannot(full, far_below=0.05, tolerance=0.05)
    scaling_keeps_the_state_in_the_steep_part(full)


def test_solution_notebook_passes_its_own_checks(small_run):
    executed = small_run(SOLUTION)
    printed = executed.printed
    assert "✓ masked_rnn_forward matches" in printed
    assert "✓ backward_rnn_forward matches" in printed
    moves = re.findall(r"moves by (\S+) with the mask, by (\S+) without it", printed)
    assert moves and all(float(masked) < 1e-12 < float(unmasked) for masked, unmasked in moves)





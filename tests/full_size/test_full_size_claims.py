"""The prose's claims, checked on the full-size run that the book shows.

The small papermill runs (tests/test_chNN.py) check the same code paths quickly; these
tests read what the book build recorded at the default parameters, after `make book`.
"""

from __future__ import annotations

import pytest
from notebooks import full_size_values


@pytest.fixture(scope="module")
def chapter2():
    return full_size_values("chapters/ch02_bptt.ipynb")


def test_ch02_tape_equals_the_product_of_jacobians(chapter2):
    assert chapter2["tape_numpy_relative_error"] < 1e-6


def test_ch02_gradient_vanishes_below_and_explodes_above_radius_one(chapter2):
    assert chapter2["norm_longest_lag_small_radius"] < 1e-6
    assert chapter2["norm_longest_lag_large_radius"] > 1.0


def test_ch02_simplernn_fails_the_long_range_task_that_gated_layers_solve(chapter2):
    chance = chapter2["accuracy_chance"]
    longest = max(row["length"] for row in chapter2["long_range_table"])
    at_longest = {row["layer"]: row["accuracy"] for row in chapter2["long_range_table"]
                  if row["length"] == longest}
    assert at_longest["SimpleRNN"] < chance + 0.1
    assert at_longest["LSTM"] > chance + 0.4 and at_longest["GRU"] > chance + 0.4


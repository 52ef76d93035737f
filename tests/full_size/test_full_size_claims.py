"""The prose's claims, checked on the full-size run that the book shows.

The small papermill runs (tests/test_chNN.py) check the same code paths quickly; these
tests read what the book build recorded at the default parameters, after `make book`.
"""

from __future__ import annotations

import pytest
from notebooks import full_size_values


@pytest.fixture(scope="module")
def chapter1():
    return full_size_values("chapters/ch01_recurrent_loop.ipynb")


def test_ch01_numpy_equals_keras(chapter1):
    assert chapter1["simple_rnn_max_difference"] < 1e-6


def test_ch01_rnn_solves_the_running_sum_and_memoryless_cannot(chapter1):
    mse = chapter1["task_test_mse"]
    assert mse["SimpleRNN"] < 0.05 * mse["memoryless"]  # "far below"
    assert mse["memoryless"] > 0.8 * mse["predict zero"]  # "close to chance level"

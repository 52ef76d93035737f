"""Chapter 1 and its exercise: the claims the prose makes, and the checks' verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import check_rnn_forward, check_rnn_step

CHAPTER = "chapters/ch01_recurrent_loop.ipynb"
SOLUTION = "solutions/ch01_recurrent_loop.ipynb"


@pytest.fixture(scope="module")
def chapter(small_run):
    return small_run(CHAPTER)


def test_numpy_loop_equals_keras(chapter):
    assert chapter["simple_rnn_max_difference"] < 1e-6


def test_parameter_formula_matches_keras(chapter):
    for input_dim, units, count in chapter["simple_rnn_param_checks"]:
        assert count == units * (input_dim + units + 1)


def test_rnn_learns_what_a_memoryless_model_cannot(chapter):
    mse = chapter["task_test_mse"]
    assert mse["SimpleRNN"] < 0.5 * mse["memoryless"]
    assert mse["memoryless"] > 0.5 * mse["predict zero"]  # no memory, little better than 0


def test_solution_notebook_passes_its_own_checks(small_run):
    executed = small_run(SOLUTION)
    printed = "".join(o.get("text", "") for c in executed.notebook.cells
                      for o in c.get("outputs", []))
    assert "✓ rnn_step matches" in printed and "✓ rnn_forward matches" in printed


# --- the checks themselves ---------------------------------------------------------

def good_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def good_forward(x, h0, kernel, recurrent_kernel, bias):
    states, h = [], h0
    for t in range(x.shape[1]):
        h = good_step(x[:, t], h, kernel, recurrent_kernel, bias)
        states.append(h)
    return np.stack(states, axis=1), h


def test_checks_accept_correct_functions(capsys):
    check_rnn_step(good_step)
    check_rnn_forward(good_forward)
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("wrong, message", [
    (lambda x, h, k, r, b: x @ k + h @ r + b, "forget the tanh"),
    (lambda x, h, k, r, b: np.tanh(x @ k + h @ r), "leave out the bias"),
    (lambda x, h, k, r, b: np.tanh(x @ k + h @ r.T + b), "transpose the recurrent kernel"),
    (lambda x, h, k, r, b: np.tanh(x @ k + b), "leave out the previous state"),
    (lambda x, h, k, r, b: 1 / (1 + np.exp(-(x @ k + h @ r + b))), "sigmoid instead of tanh"),
    (lambda x, h, k, r, b: good_step(x, h, k, r, b).T, "shape"),
    (lambda x, h, k, r, b: None, "h_t"),
])
def test_step_check_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_rnn_step(wrong)


def test_step_check_turns_the_stub_into_guidance():
    def stub(*args):
        raise NotImplementedError("write me")

    with pytest.raises(NotImplementedError, match="still the exercise stub"):
        check_rnn_step(stub)


@pytest.mark.parametrize("wrong, message", [
    (lambda x, h0, k, r, b: good_forward(x, np.zeros_like(h0), k, r, b),
     "start from zeros instead of h0"),
    (lambda x, h0, k, r, b: (np.swapaxes(good_forward(x, h0, k, r, b)[0], 0, 1),
                             good_forward(x, h0, k, r, b)[1]), "shape|axis 0"),
    (lambda x, h0, k, r, b: (good_forward(x, h0, k, r, b)[0], h0), "return h0"),
    (lambda x, h0, k, r, b: good_forward(x, h0, k, r, b)[0], "should return a pair"),
])
def test_forward_check_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_rnn_forward(wrong)

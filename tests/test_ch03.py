"""Chapter 3 and its exercise: the claims the prose makes, and the check's verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import check_lstm_step
from rnncourse.checks.ch03 import MISTAKES, numpy_lstm_step

CHAPTER = "chapters/ch03_lstm.ipynb"
SOLUTION = "solutions/ch03_lstm.ipynb"


@pytest.fixture(scope="module")
def chapter(small_run):
    return small_run(CHAPTER)


@pytest.fixture(scope="module")
def solution(small_run):
    return small_run(SOLUTION)


def test_numpy_lstm_equals_keras(chapter):
    assert chapter["gate_by_gate_max_abs_diff"] < 1e-5
    assert chapter["lstm_max_abs_diff"] < 1e-5
    assert chapter["imdb_state_max_abs_diff"] < 1e-5


def test_parameter_formula_matches_keras(chapter):
    rows = chapter["lstm_param_rows"]
    assert len(rows) >= 3
    for input_dim, units, formula, keras_count in rows:
        assert formula == keras_count == 4 * (units * (input_dim + units) + units)


def test_forget_bias_sets_how_far_the_gradient_reaches(chapter):
    assert chapter["grad_left_lstm_b0"] < chapter["grad_left_lstm_b1"] \
        < chapter["grad_left_lstm_b3"]
    assert chapter["grad_left_lstm_b3"] > chapter["grad_left_simple_rnn"]
    assert chapter["grad_left_lstm_b3"] > 0.1  # "barely shrinks at all"


def test_keras_starts_the_forget_bias_at_one(chapter):
    assert chapter["initial_forget_bias"] == 1.0


def test_gate_readout_is_consistent(chapter):
    assert 0.0 < chapter["review_gate_min"] <= chapter["review_gate_max"] < 1.0
    for name in ("review_forget_mean", "review_input_mean", "review_output_mean"):
        assert chapter["review_gate_min"] <= chapter[name] <= chapter["review_gate_max"]
    assert 0 <= chapter["review_agreeing_units_percent"] <= 100
    assert 0 < chapter["review_top3_jump_share"] <= 1
    assert chapter["review_words"] <= chapter["review_max_words"]
    assert chapter["review_label"] in ("positive", "negative")
    assert 0.0 <= chapter["imdb_test_accuracy"] <= 1.0


def test_solution_passes_its_check_and_matches_keras(solution):
    printed = "".join(o.get("text", "") for c in solution.notebook.cells
                      for o in c.get("outputs", []))
    assert "✓ lstm_step matches" in printed
    assert solution["solution_lstm_max_abs_diff"] < 1e-5


def test_solution_memory_halves_as_predicted(solution):
    for _, forget, measured, predicted in solution["memory_rows"]:
        assert 0 < forget < 1
        if measured is not None:
            assert predicted - 1 < measured < predicted + 1


# --- the check itself ----------------------------------------------------------------

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def good_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    units = h_prev.shape[1]
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i = sigmoid(z[:, :units])
    f = sigmoid(z[:, units:2 * units])
    candidate = np.tanh(z[:, 2 * units:3 * units])
    o = sigmoid(z[:, 3 * units:])
    c_t = f * c_prev + i * candidate
    return o * np.tanh(c_t), c_t


def test_check_accepts_a_correct_step(capsys):
    check_lstm_step(good_step)
    check_lstm_step(lambda *args: tuple(np.float32(a) for a in good_step(*args)), seed=3)
    assert capsys.readouterr().out.count("✓ lstm_step matches") == 2


def ifoc_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, o, g = np.split(z, 4, axis=1)  # wrong: Keras' third block is the candidate
    c_t = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def no_cell_tanh_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    h_t, c_t = good_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    units = h_prev.shape[1]
    o = sigmoid((x_t @ kernel + h_prev @ recurrent_kernel + bias)[:, 3 * units:])
    return o * c_t, c_t


def linear_candidate_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=1)
    c_t = sigmoid(f) * c_prev + sigmoid(i) * g
    return sigmoid(o) * np.tanh(c_t), c_t


def no_bias_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    return good_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, 0 * bias)


def no_recurrence_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    return good_step(x_t, 0 * h_prev, c_prev, kernel, recurrent_kernel, bias)


def swapped_if_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    f, i, g, o = np.split(z, 4, axis=1)
    c_t = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


def no_forget_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, _, g, o = np.split(z, 4, axis=1)
    c_t = c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_t), c_t


@pytest.mark.parametrize("wrong, message", [
    (ifoc_step, "order i, f, o, c"),
    (swapped_if_step, "swap the input and forget gates"),
    (no_cell_tanh_step, "forget the tanh on the cell state"),
    (linear_candidate_step, "forget the tanh on the candidate"),
    (no_bias_step, "leave out the bias"),
    (no_recurrence_step, "leave out h_prev @ recurrent_kernel"),
    (no_forget_step, "leave out the forget gate"),
    (lambda *args: good_step(*args)[::-1], r"returned \(c_t, h_t\)"),
    (lambda *args: good_step(*args)[0], "should return a pair"),
    (lambda *args: (good_step(*args)[0].T, good_step(*args)[1]), "shape"),
])
def test_check_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_lstm_step(wrong)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_every_listed_mistake_is_recognised_as_itself(mistake):
    # A learner making exactly this mistake (in float32) is told about this one, not
    # about another one that happens to give the same numbers.
    def wrong(*args):
        h, c = numpy_lstm_step(*args, **MISTAKES[mistake])
        return h.astype(np.float32), c.astype(np.float32)

    with pytest.raises(AssertionError) as raised:
        check_lstm_step(wrong)
    assert f"if you {mistake}" in str(raised.value)


def test_check_turns_the_stub_into_guidance():
    def stub(*args):
        raise NotImplementedError("write me")

    with pytest.raises(NotImplementedError, match="still the exercise stub"):
        check_lstm_step(stub)

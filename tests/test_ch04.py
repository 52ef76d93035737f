"""Chapter 4 and its exercise: the claims the prose makes, and the check's verdicts."""

from __future__ import annotations

import numpy as np
import pytest
from small_parameters import SMALL_PARAMETERS

from rnncourse.checks import check_gru_step
from rnncourse.checks.ch04 import MISTAKES, MISTAKES_TEXTBOOK, numpy_gru_step

CHAPTER = "chapters/ch04_gru.ipynb"
SOLUTION = "solutions/ch04_gru.ipynb"


@pytest.fixture(scope="module")
def chapter(small_run):
    return small_run(CHAPTER)


@pytest.fixture(scope="module")
def solution(small_run):
    return small_run(SOLUTION)


def test_numpy_gru_equals_keras_in_both_variants(chapter):
    assert chapter["gru_max_abs_diff"] < 1e-5
    assert chapter["gru_textbook_max_abs_diff"] < 1e-5


def test_the_two_reset_variants_are_different_functions(chapter):
    assert chapter["reset_variants_max_diff"] > 1e-3
    assert chapter["reset_variants_max_diff"] >= chapter["reset_variants_mean_diff"] > 0


def test_parameter_formulas_match_keras(chapter):
    for d, u, lstm, lstm_keras, gru, gru_keras, textbook, textbook_keras in \
            chapter["gru_param_rows"]:
        assert lstm == lstm_keras == 4 * (u * (d + u) + u)
        assert gru == gru_keras == 3 * (u * (d + u) + 2 * u)
        assert textbook == textbook_keras == 3 * (u * (d + u) + u)
        assert 0.75 < gru / lstm <= 0.8  # "about three quarters" (input_dim + units >= 14)


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


def test_solution_passes_both_checks_and_matches_keras(solution):
    printed = "".join(o.get("text", "") for c in solution.notebook.cells
                      for o in c.get("outputs", []))
    assert "✓ gru_step matches" in printed
    assert "✓ gru_step_textbook matches" in printed
    assert solution["solution_gru_max_abs_diff"] < 1e-5


# --- the check itself ----------------------------------------------------------------

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def good_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    units = h_prev.shape[1]
    a = x_t @ kernel + bias[0]
    g = h_prev @ recurrent_kernel + bias[1]
    z = sigmoid(a[:, :units] + g[:, :units])
    r = sigmoid(a[:, units:2 * units] + g[:, units:2 * units])
    candidate = np.tanh(a[:, 2 * units:] + r * g[:, 2 * units:])
    return z * h_prev + (1 - z) * candidate


def textbook_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    units = h_prev.shape[1]
    a = x_t @ kernel + bias
    z = sigmoid(a[:, :units] + h_prev @ recurrent_kernel[:, :units])
    r = sigmoid(a[:, units:2 * units] + h_prev @ recurrent_kernel[:, units:2 * units])
    candidate = np.tanh(a[:, 2 * units:] + (r * h_prev) @ recurrent_kernel[:, 2 * units:])
    return z * h_prev + (1 - z) * candidate


def test_check_accepts_correct_steps(capsys):
    check_gru_step(good_step)
    check_gru_step(textbook_step, reset_after=False)
    check_gru_step(lambda *args: good_step(*args).astype(np.float32), seed=5)
    assert capsys.readouterr().out.count("✓ ") == 3


def reset_before_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    # The textbook candidate, fed Keras' two bias rows.
    units = h_prev.shape[1]
    a = x_t @ kernel + bias[0]
    g = h_prev @ recurrent_kernel + bias[1]
    z = sigmoid(a[:, :units] + g[:, :units])
    r = sigmoid(a[:, units:2 * units] + g[:, units:2 * units])
    candidate = np.tanh(a[:, 2 * units:] + (r * h_prev) @ recurrent_kernel[:, 2 * units:]
                        + bias[1, 2 * units:])
    return z * h_prev + (1 - z) * candidate


def only_input_bias_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    return good_step(x_t, h_prev, kernel, recurrent_kernel, np.stack([bias[0], 0 * bias[1]]))


def rzh_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    a_r, a_z, a_h = np.split(x_t @ kernel + bias[0], 3, axis=1)
    g_r, g_z, g_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=1)
    z, r = sigmoid(a_z + g_z), sigmoid(a_r + g_r)
    return z * h_prev + (1 - z) * np.tanh(a_h + r * g_h)


def swapped_z_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    a_z, a_r, a_h = np.split(x_t @ kernel + bias[0], 3, axis=1)
    g_z, g_r, g_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=1)
    z, r = sigmoid(a_z + g_z), sigmoid(a_r + g_r)
    return (1 - z) * h_prev + z * np.tanh(a_h + r * g_h)


def no_tanh_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    a_z, a_r, a_h = np.split(x_t @ kernel + bias[0], 3, axis=1)
    g_z, g_r, g_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=1)
    z, r = sigmoid(a_z + g_z), sigmoid(a_r + g_r)
    return z * h_prev + (1 - z) * (a_h + r * g_h)


def whole_bias_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    units = h_prev.shape[1]
    a = x_t @ kernel + bias  # wrong: bias has two rows
    return good_step(x_t, h_prev, kernel, recurrent_kernel, np.zeros_like(bias))[:, :units] + a


@pytest.mark.parametrize("wrong, message", [
    (reset_before_step, "apply the reset gate before the matmul"),
    (only_input_bias_step, r"use only bias\[0\]"),
    (rzh_step, "order r, z, h"),
    (swapped_z_step, "swap z and 1 - z"),
    (no_tanh_step, "forget the tanh on the candidate"),
    (whole_bias_step, r"add bias\[0\] to x_t @ kernel and bias\[1\]"),
    (lambda *args: (good_step(*args), good_step(*args)), "no separate cell state"),
    (lambda *args: good_step(*args).T, "shape"),
])
def test_check_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_gru_step(wrong)


def test_textbook_check_names_reset_after(capsys):
    with pytest.raises(AssertionError, match="apply the reset gate after the matmul"):
        check_gru_step(lambda x, h, k, r, b: good_step(x, h, k, r, np.stack([b, 0 * b])),
                       reset_after=False)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_every_listed_mistake_is_recognised_as_itself(mistake):
    def wrong(*args):
        return numpy_gru_step(*args, **MISTAKES[mistake]).astype(np.float32)

    with pytest.raises(AssertionError) as raised:
        check_gru_step(wrong)
    assert f"if you {mistake}" in str(raised.value)


@pytest.mark.parametrize("mistake", list(MISTAKES_TEXTBOOK))
def test_every_listed_textbook_mistake_is_recognised_as_itself(mistake):
    def wrong(x_t, h_prev, kernel, recurrent_kernel, bias):
        two_rows = np.stack([bias, np.zeros_like(bias)])
        return numpy_gru_step(x_t, h_prev, kernel, recurrent_kernel, two_rows,
                              **MISTAKES_TEXTBOOK[mistake]).astype(np.float32)

    with pytest.raises(AssertionError) as raised:
        check_gru_step(wrong, reset_after=False)
    assert f"if you {mistake}" in str(raised.value)


def test_check_turns_the_stub_into_guidance():
    def gru_step(*args):
        raise NotImplementedError("write me")

    with pytest.raises(NotImplementedError, match="gru_step is still the exercise stub"):
        check_gru_step(gru_step)

"""rnncourse.params: one parameter check for every notebook."""

from __future__ import annotations

import math

import pytest

from rnncourse.params import KINDS, ParameterError, check_parameters


@pytest.mark.parametrize("kind, good, bad", [
    ("positive int", [1, 7], [0, -1, True, 2.0, "3", None]),
    ("non-negative int", [0, 5], [-1, False, 0.0]),
    ("seed", [0, 2**32 - 1], [-1, 2**32, True, 1.5]),
    ("positive float", [1e-3, 2, 0.5], [0, -1.0, math.inf, math.nan, True, "0.1"]),
    ("non-negative float", [0, 0.0, 3.5], [-0.1, math.inf, False]),
    ("fraction", [0, 0.0, 0.99], [1, 1.0, -0.1, math.nan, True]),
    ("probability", [0, 1, 0.5], [1.01, -0.1, math.nan]),
    ("float", [-2.5, 0, 3], [math.inf, -math.inf, math.nan, "1", True]),
    ("positive ints", [[1], [2, 3], (4,)], [[], [0], [1, True], 3, [1.0], "12"]),
    ("positive floats", [[0.5, 2]], [[0.0], [math.inf], []]),
    ("floats", [[-1.0, 0, 2]], [[math.nan], [], ["a"]]),
    ("bool", [True, False], [0, 1, "True", None]),
    ("text", ["GRU"], ["", "  ", 3, None]),
])
def test_each_kind_accepts_good_and_names_bad_values(kind, good, bad):
    for value in good:
        check_parameters({"P": value}, P=kind)
    for value in bad:
        with pytest.raises(ParameterError, match=r"parameter P must be"):
            check_parameters({"P": value}, P=kind)


def test_every_kind_is_tested():
    tested = {"positive int", "non-negative int", "seed", "positive float",
              "non-negative float", "fraction", "probability", "float", "positive ints",
              "positive floats", "floats", "bool", "text"}
    assert tested == set(KINDS)


def test_message_names_the_parameter_and_value():
    with pytest.raises(ParameterError, match=r"TASK_EPOCHS must be a whole number >= 1, "
                                             r"got True \(bool\)"):
        check_parameters({"TASK_EPOCHS": True}, TASK_EPOCHS="positive int")


def test_misspelled_parameter_is_refused():
    namespace = {"EPOCHS": 3, "EPOCH": 5, "np": object(), "_HIDDEN": 1, "In": []}
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) EPOCH\b"):
        check_parameters(namespace, EPOCHS="positive int")


def test_listed_but_undefined_parameter_is_refused():
    with pytest.raises(ParameterError, match="not defined"):
        check_parameters({}, SEED="seed")


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown parameter kind"):
        check_parameters({"SEED": 0}, SEED="whole number")

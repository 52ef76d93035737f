"""rnncourse.params: one parameter check for every notebook."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest

from rnncourse.params import KINDS, MAX_SIZE, ParameterError, check_parameters
from tests.small_parameters import SMALL_PARAMETERS


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
    with pytest.raises(ParameterError, match=r"TASK_EPOCHS must be a whole number >= 1 "
                                             r"and at most 1,000,000, got True \(bool\)"):
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


# ---- Bad values that used to escape the check (issue 21, item 14) ----------------------

HUGE = 10**400  # a whole number no float can hold


@pytest.mark.parametrize("kind", ["positive float", "non-negative float", "fraction",
                                  "probability", "float"])
def test_a_whole_number_too_large_for_a_float_is_named_not_an_overflow(kind):
    with pytest.raises(ParameterError, match=r"parameter P must be .*\(int\)"):
        check_parameters({"P": HUGE}, P=kind)
    with pytest.raises(ParameterError, match=r"parameter P must be"):
        check_parameters({"P": -HUGE}, P=kind)


@pytest.mark.parametrize("kind", ["positive floats", "floats"])
def test_a_list_holding_a_huge_whole_number_is_named(kind):
    with pytest.raises(ParameterError, match=r"parameter P must be"):
        check_parameters({"P": [1.0, HUGE]}, P=kind)


@pytest.mark.parametrize("kind, largest, value", [
    ("positive int", MAX_SIZE, 10**12), ("positive int", MAX_SIZE, MAX_SIZE + 1),
    ("non-negative int", MAX_SIZE, 10**12), ("positive ints", [MAX_SIZE], [4, 10**12]),
])
def test_sizes_have_an_upper_bound(kind, largest, value):
    check_parameters({"UNITS": largest}, UNITS=kind)
    with pytest.raises(ParameterError, match=rf"parameter UNITS must be .* {MAX_SIZE:,}"):
        check_parameters({"UNITS": value}, UNITS=kind)


def test_a_parameter_may_declare_a_tighter_bound():
    check_parameters({"UNITS": 4096}, UNITS="positive int <= 4096")
    with pytest.raises(ParameterError, match=r"UNITS must be .* >= 1 and at most 4,096"):
        check_parameters({"UNITS": 4097}, UNITS="positive int <= 4096")
    with pytest.raises(ParameterError, match=r"LENGTHS must be .* at most 500"):
        check_parameters({"LENGTHS": [10, 501]}, LENGTHS="positive ints <= 500")
    for bad in ("positive int <= lots", "text <= 3", "positive int <= 0"):
        with pytest.raises(ValueError, match="parameter kind"):
            check_parameters({"UNITS": 1}, UNITS=bad)


def test_an_enormous_value_is_shown_short():
    # Python refuses to print a whole number of over 4,300 digits (ValueError): the
    # message must still be written, and stay one readable line.
    for value in (10**5000, "x" * 100_000, list(range(100_000))):
        with pytest.raises(ParameterError) as caught:
            check_parameters({"UNITS": value}, UNITS="positive int")
        assert len(str(caught.value)) < 300, str(caught.value)[:400]
    with pytest.raises(ParameterError, match=r"a whole number of about 5,00\d digits"):
        check_parameters({"UNITS": 10**5000}, UNITS="positive int")


# ---- The bounds must not refuse the course's own values ---------------------------------

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(str(path.relative_to(ROOT)) for folder in ("chapters", "solutions", "exercises")
                   for path in (ROOT / folder).glob("*.md"))
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


def _parameters_and_check(notebook: str) -> tuple[str, str]:
    """The notebook's parameters cell and its ``check_parameters(globals(), ...)`` call."""
    cells = _CELL.findall((ROOT / notebook).read_text(encoding="utf-8"))
    parameters = next(cell for cell in cells if cell.startswith(":tags: [parameters]"))
    for cell in (cell for cell in cells if "check_parameters(" in cell):
        source = "\n".join(line for line in cell.splitlines() if not line.startswith(":"))
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "check_parameters"
                    and node.args and ast.unparse(node.args[0]) == "globals()"):
                return parameters.replace(":tags: [parameters]", ""), ast.get_source_segment(
                    source, node)
    raise AssertionError(f"{notebook}: no check_parameters(globals(), ...) call")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_passes_its_own_check_full_size_and_small(notebook):
    # The full-size defaults only run under nbval (slow): an upper bound tighter than a
    # value the course uses would only show there. Exercises run with their solution's values.
    parameters, check = _parameters_and_check(notebook)
    small = SMALL_PARAMETERS.get(notebook.replace("exercises/", "solutions/"), {})
    for overrides in ({}, small):
        namespace: dict = {}
        exec(parameters, namespace)  # noqa: S102 - the course's own parameters cell
        namespace.update(overrides)
        namespace.pop("__builtins__")
        eval(check, {"check_parameters": check_parameters, "globals": lambda ns=namespace: ns})

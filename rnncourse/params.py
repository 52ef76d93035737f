"""Check a notebook's parameters once, with one clear message per mistake.

Every notebook's second code cell is tagged ``parameters``; papermill (or a learner)
may override any of them. The cell after it calls::

    check_parameters(globals(), SEED="seed", BATCH="positive int", LEARNING_RATE="fraction")

which raises :class:`ParameterError` naming the first parameter whose value is not of its
kind. It also refuses any UPPERCASE name in the namespace that is not listed: papermill
injects a misspelled parameter (``EPOCH=3`` for ``EPOCHS``) as a new variable and only
warns, so without this check the run would silently use the default.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

__all__ = ["KINDS", "ParameterError", "check_parameters"]


class ParameterError(ValueError):
    """A notebook parameter has a value of the wrong kind, or is not a parameter at all."""


def _is_int(value) -> bool:
    # bool is an int subclass: TASK_EPOCHS=True would silently mean one epoch.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _is_list_of(test: Callable[[object], bool]) -> Callable[[object], bool]:
    def check(value) -> bool:
        return (isinstance(value, (list, tuple)) and len(value) > 0
                and all(test(item) for item in value))
    return check


def _positive_int(value) -> bool:
    return _is_int(value) and value >= 1


def _positive_float(value) -> bool:
    return _is_real(value) and value > 0


# kind -> (test, what the value should be, said to the reader)
KINDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "positive int": (_positive_int, "a whole number >= 1"),
    "non-negative int": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0"),
    "seed": (lambda v: _is_int(v) and 0 <= v < 2**32, "a whole number from 0 to 2**32 - 1"),
    "positive float": (_positive_float, "a finite number > 0"),
    "non-negative float": (lambda v: _is_real(v) and v >= 0, "a finite number >= 0"),
    "fraction": (lambda v: _is_real(v) and 0 <= v < 1, "a number in [0, 1)"),
    "probability": (lambda v: _is_real(v) and 0 <= v <= 1, "a number in [0, 1]"),
    "float": (_is_real, "a finite number"),
    "positive ints": (_is_list_of(_positive_int), "a non-empty list of whole numbers >= 1"),
    "positive floats": (_is_list_of(_positive_float), "a non-empty list of finite numbers > 0"),
    "floats": (_is_list_of(_is_real), "a non-empty list of finite numbers"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
    "text": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
}


def check_parameters(namespace: Mapping[str, object], **kinds: str) -> None:
    """Raise :class:`ParameterError` unless every listed parameter is of its kind.

    ``namespace``: the notebook's ``globals()``. ``kinds``: parameter name -> one of
    :data:`KINDS`. Every UPPERCASE name in ``namespace`` must be listed, so that a
    misspelled papermill parameter is caught instead of ignored.
    """
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise ValueError(f"unknown parameter kind {kind!r} for {name}; "
                             f"choose one of {sorted(KINDS)}")
        if name not in namespace:
            raise ParameterError(f"parameter {name} is listed but not defined in the "
                                 "parameters cell")
        test, expected = KINDS[kind]
        value = namespace[name]
        if not test(value):
            raise ParameterError(f"parameter {name} must be {expected}, got {value!r} "
                                 f"({type(value).__name__})")
    unknown = sorted(name for name in namespace
                     if name.isupper() and not name.startswith("_") and name not in kinds)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}: not one of this notebook's "
            f"parameters ({', '.join(sorted(kinds))}). Check the spelling of what you "
            "passed to papermill or typed into the parameters cell.")

"""Check a notebook's parameters once, with one clear message per mistake.

Every notebook's second code cell is tagged ``parameters``; papermill (or a learner)
may override any of them. The cell after it calls::

    check_parameters(globals(), SEED="seed", BATCH="positive int", LEARNING_RATE="fraction")

which raises :class:`ParameterError` naming the first parameter whose value is not of its
kind. It also refuses any UPPERCASE name in the namespace that is not listed: papermill
injects a misspelled parameter (``EPOCH=3`` for ``EPOCHS``) as a new variable and only
warns, so without this check the run would silently use the default.

Every whole-number kind has an upper bound, :data:`MAX_SIZE` unless the kind names a
tighter one (``"positive int <= 4096"``): a size such as ``UNITS=10**12`` is refused here,
with its name, instead of killing the kernel later when memory runs out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

__all__ = ["KINDS", "MAX_SIZE", "ParameterError", "check_parameters"]

#: The largest value any whole-number parameter may take unless its kind says less. The
#: course's largest size is 50,000 (words of chapter 6's tf-idf vocabulary); a million of
#: anything more is a typing slip, and as a layer width it would not fit in memory.
MAX_SIZE = 1_000_000
# A kind with its own bound: "positive int <= 4096", "positive ints <= 500".
_BOUNDED = re.compile(r"(?P<kind>.+?)\s*<=\s*(?P<bound>\d+)")
# Whole-number kinds, whose upper bound is MAX_SIZE or the one the kind names.
_SIZE_KINDS = ("positive int", "non-negative int", "positive ints")


class ParameterError(ValueError):
    """A notebook parameter has a value of the wrong kind, or is not a parameter at all."""


def _is_int(value) -> bool:
    # bool is an int subclass: TASK_EPOCHS=True would silently mean one epoch.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value) -> bool:
    if not (_is_int(value) or isinstance(value, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # a whole number too large for any float (10**400)
        return False


def _is_list_of(test: Callable[[object], bool]) -> Callable[[object], bool]:
    def check(value) -> bool:
        return (isinstance(value, (list, tuple)) and len(value) > 0
                and all(test(item) for item in value))
    return check


def _positive_int(value, bound: int = MAX_SIZE) -> bool:
    return _is_int(value) and 1 <= value <= bound


def _non_negative_int(value, bound: int = MAX_SIZE) -> bool:
    return _is_int(value) and 0 <= value <= bound


def _positive_ints(value, bound: int = MAX_SIZE) -> bool:
    return _is_list_of(lambda item: _positive_int(item, bound))(value)


def _positive_float(value) -> bool:
    return _is_real(value) and value > 0


# kind -> (test, what the value should be, said to the reader)
KINDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "positive int": (_positive_int, f"a whole number >= 1 and at most {MAX_SIZE:,}"),
    "non-negative int": (_non_negative_int, f"a whole number >= 0 and at most {MAX_SIZE:,}"),
    "seed": (lambda v: _is_int(v) and 0 <= v < 2**32, "a whole number from 0 to 2**32 - 1"),
    "positive float": (_positive_float, "a finite number > 0"),
    "non-negative float": (lambda v: _is_real(v) and v >= 0, "a finite number >= 0"),
    "fraction": (lambda v: _is_real(v) and 0 <= v < 1, "a number in [0, 1)"),
    "probability": (lambda v: _is_real(v) and 0 <= v <= 1, "a number in [0, 1]"),
    "float": (_is_real, "a finite number"),
    "positive ints": (_positive_ints,
                      f"a non-empty list of whole numbers >= 1 and at most {MAX_SIZE:,}"),
    "positive floats": (_is_list_of(_positive_float), "a non-empty list of finite numbers > 0"),
    "floats": (_is_list_of(_is_real), "a non-empty list of finite numbers"),
    "bool": (lambda v: isinstance(v, bool), "True or False"),
    "text": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
}


def check_parameters(namespace: Mapping[str, object], **kinds: str) -> None:
    """Raise :class:`ParameterError` unless every listed parameter is of its kind.

    ``namespace``: the notebook's ``globals()``. ``kinds``: parameter name -> one of
    :data:`KINDS`, where a whole-number kind may name a tighter upper bound than
    :data:`MAX_SIZE` (``"positive int <= 4096"``). Every UPPERCASE name in ``namespace``
    must be listed, so that a misspelled papermill parameter is caught instead of ignored.
    """
    for name, kind in kinds.items():
        test, expected = _kind(name, kind)
        if name not in namespace:
            raise ParameterError(f"parameter {name} is listed but not defined in the "
                                 "parameters cell")
        value = namespace[name]
        if not test(value):
            raise ParameterError(f"parameter {name} must be {expected}, got {_shown(value)} "
                                 f"({type(value).__name__})")
    unknown = sorted(name for name in namespace
                     if name.isupper() and not name.startswith("_") and name not in kinds)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}: not one of this notebook's "
            f"parameters ({', '.join(sorted(kinds))}). Check the spelling of what you "
            "passed to papermill or typed into the parameters cell.")


def _kind(name: str, kind: str) -> tuple[Callable[[object], bool], str]:
    """The test and the description of ``kind`` (a programming error if there is none)."""
    if kind in KINDS:
        return KINDS[kind]
    bounded = _BOUNDED.fullmatch(kind)
    if bounded and bounded["kind"] in _SIZE_KINDS and int(bounded["bound"]) >= 1:
        base, bound = bounded["kind"], int(bounded["bound"])
        test = {"positive int": _positive_int, "non-negative int": _non_negative_int,
                "positive ints": _positive_ints}[base]
        expected = KINDS[base][1].replace(f"{MAX_SIZE:,}", f"{bound:,}")
        return (lambda value: test(value, bound)), expected
    raise ValueError(f"unknown parameter kind {kind!r} for {name}; choose one of "
                     f"{sorted(KINDS)}, or one of {list(_SIZE_KINDS)} followed by "
                     "'<= N' (N >= 1)")


def _shown(value, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for a one-line message.

    Python refuses to write a whole number of over 4,300 digits (``ValueError``), and a
    100,000-item list would fill the screen.
    """
    if _is_int(value) and abs(value) >= 10**limit:
        digits = int(value.bit_length() * math.log10(2)) + 1  # str() may refuse
        return f"a whole number of about {digits:,} digits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 12]}…{text[-10:]}"

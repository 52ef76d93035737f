"""What every exercise check shares: random cases, calling the learner, explaining errors.

A check compares the learner's function with an oracle (usually the Keras layer given the
same weights) on several random cases. When they disagree, it does not stop at "wrong":
it reports the case, the shapes, the largest error and where it is, and, when the output
matches a known mistake ("suspect"), names that mistake. The full equation is a last
resort: it is shown only when the learner asks for it by running the check again with
``hint=True``.

Failures raise :class:`CheckFailed`, which IPython shows as its message alone: a learner
sees what went wrong, not a traceback through the grader's own source.
"""

from __future__ import annotations

import contextlib
import io
import re
import traceback
from pathlib import Path

import numpy as np

RTOL = 1e-5
ATOL = 1e-5
_PACKAGE = str(Path(__file__).resolve().parents[1])


class CheckFailed(AssertionError):
    """A check's verdict. In IPython and Jupyter only the message is shown."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of formatting a traceback (InteractiveShell.showtraceback).
        return [f"\x1b[1;31mCheck failed:\x1b[0m {self}"]


class StillAStub(CheckFailed, NotImplementedError):
    """The learner's function is still the exercise stub: a check failure that is also a
    ``NotImplementedError``, the error the stub raised."""


def _learner_frames(error: BaseException) -> str:
    """The traceback lines of ``error`` that lie in the learner's code, not the package's."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not str(Path(frame.filename).resolve()).startswith(_PACKAGE)]
    return "".join(traceback.format_list(frames))


def _describe_arguments(args: tuple) -> str:
    described = []
    for arg in args:
        shape = getattr(arg, "shape", None)
        if shape is not None:
            described.append(f"shape {tuple(int(n) for n in shape)}")
        elif isinstance(arg, (list, tuple)):
            described.append(f"{type(arg).__name__} of {len(arg)}")
        else:
            described.append(type(arg).__name__)
    return ", ".join(described)


def sigmoid(z):
    """The logistic function, in NumPy: the gates' activation in the reference steps."""
    return 1.0 / (1.0 + np.exp(-z))


def identity(z):
    """No activation: a reference step with it stands for a forgotten tanh or sigmoid."""
    return z


def random_array(rng: np.random.Generator, *shape, scale: float = 1.0) -> np.ndarray:
    """Float32 normal noise: Keras computes in float32, so the oracle sees the same numbers."""
    return (scale * rng.standard_normal(shape)).astype(np.float32)


def _private_copy(value):
    """A copy of every array in ``value`` (also inside lists and tuples); the rest as is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_private_copy(item) for item in value)
    return value


def call_learner(fn, args: tuple, name: str, case: str = ""):
    """Call the learner's function and return its result, or explain why there is none.

    The learner gets copies of the arrays: a function that changes its inputs in place (a
    NumPy block swap through views, say) must not change the arrays the check goes on to
    use as the reference, or a wrong answer would be judged against its own output.

    A stub's ``NotImplementedError`` becomes "write its body"; a ``None`` result becomes
    "did you forget ``return``?"; any other exception raised inside the learner's code is
    reported with the case and the shapes of the arguments, and the learner's own lines of
    the traceback (none of the grader's).
    """
    where = f" ({case})" if case else ""
    try:
        result = fn(*(_private_copy(arg) for arg in args))
    except CheckFailed:
        raise  # a verdict raised while the learner's code ran (see refuse_while_running)
    except NotImplementedError as error:
        raise StillAStub(
            f"{name} is still the exercise stub ({str(error).rstrip('.')}). Write its body, "
            "then run this check again.") from None
    except Exception as error:  # noqa: BLE001 - any error in the learner's code is reported
        lines = _learner_frames(error)
        raise CheckFailed(
            f"{name} raised {type(error).__name__}: {error}{where}, called with arguments "
            f"of {_describe_arguments(args)}."
            + (f"\nYour code, where it failed:\n{lines}" if lines else "")) from None
    if result is None:
        raise CheckFailed(f"{name} returned None{where}: did you forget `return`?")
    return result


@contextlib.contextmanager
def refuse_while_running(module, names: tuple[str, ...], why: str):
    """Make ``module.<name>`` raise :class:`CheckFailed` (``why``) while the block runs.

    For exercises that ask for code written by hand: calling the library function the
    check compares against would make the check compare the library with itself.
    """
    originals = {name: getattr(module, name) for name in names}

    def refuse(name):
        def refused(*args, **kwargs):
            raise CheckFailed(f"your function called {module.__name__}.{name}: {why}")
        return refused

    try:
        for name in names:
            setattr(module, name, refuse(name))
        yield
    finally:
        for name, original in originals.items():
            setattr(module, name, original)


def require_earlier_part(part: str, check, *args, **kwargs) -> None:
    """Run an earlier part's ``check(*args, **kwargs)`` quietly; report its failure as such.

    A later part builds on an earlier one, so a later check first re-runs the earlier
    check: a mistake in part 1 is then reported as "Fix part 1 first", not blamed on part
    2, and a part 1 that is still the stub stays a :class:`StillAStub` ("Write part 1
    first"). A message that already names an earlier part is passed on unchanged.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(*args, **kwargs)
    except CheckFailed as failure:
        message = str(failure)
        if re.match(r"(Fix|Write) part \d+ first", message):
            raise type(failure)(message) from None
        if isinstance(failure, StillAStub):
            raise StillAStub(f"Write {part} first: {message}") from None
        raise CheckFailed(f"Fix {part} first: {message}") from None


def expect_tuple(value, length: int, what: str) -> tuple:
    """Return ``value`` as a tuple of ``length`` items, or explain what it is instead."""
    if value is None:
        raise CheckFailed(f"{what} is None: did you forget `return`?")
    if not isinstance(value, (tuple, list)):
        raise CheckFailed(f"{what} should be a tuple of {length} items, got a "
                          f"{type(value).__name__}.")
    if len(value) != length:
        raise CheckFailed(f"{what} should be a tuple of {length} items, got {len(value)}.")
    for i, item in enumerate(value):
        if item is None:
            raise CheckFailed(f"item {i} of {what} is None: did you forget to compute it?")
    return tuple(value)


def as_array(value, what: str) -> np.ndarray:
    """Convert a NumPy/TensorFlow result to a float array, or explain why it cannot be."""
    if value is None:
        raise CheckFailed(f"{what} is None: did you forget `return`?")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise CheckFailed(
            f"{what} should be an array, got {type(value).__name__}: {error}") from None
    return array


def assert_matches(got, expected: np.ndarray, what: str, case: str,
                   suspects: dict[str, np.ndarray] | None = None,
                   hint: str = "", show_hint: bool = False) -> float:
    """Raise an explanatory :class:`CheckFailed` unless ``got`` equals ``expected``.

    The message steps up: first what is wrong (shape, values, which case, where); then,
    if ``got`` equals the output of a known mistake in ``suspects`` (description -> the
    output that mistake produces), the mistake's name; the full ``hint`` only when
    ``show_hint`` is true (the learner ran the check with ``hint=True``). Returns the
    largest absolute error, for the success message.
    """
    got = as_array(got, what)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise CheckFailed(
            f"{what} has shape {got.shape}, expected {expected.shape} ({case})."
            + _shape_hint(got.shape, expected.shape) + _hint_text(hint, show_hint))
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{what} contains NaN or infinity ({case}).")
    if np.allclose(got, expected, rtol=RTOL, atol=ATOL):
        return float(np.max(np.abs(got - expected), initial=0.0))
    error = np.abs(got - expected)
    worst = np.unravel_index(np.argmax(error), error.shape)
    message = (f"{what} differs from the reference ({case}): max abs error "
               f"{error.max():.3g} at index {tuple(int(i) for i in worst)} "
               f"(got {got[worst]:.5g}, expected {expected[worst]:.5g}).")
    for mistake, output in (suspects or {}).items():
        output = np.asarray(output, dtype=np.float64)
        if output.shape == got.shape and np.allclose(got, output, rtol=RTOL, atol=ATOL):
            message += f" Your output is exactly what you get if you {mistake}."
            break
    else:
        message += _hint_text(hint, show_hint)
    raise CheckFailed(message)


def _hint_text(hint: str, show_hint: bool) -> str:
    if not hint:
        return ""
    if show_hint:
        return f" Hint: {hint}"
    return " Run the check again with hint=True to see the equation it expects."


def _shape_hint(got: tuple, expected: tuple) -> str:
    if sorted(got) == sorted(expected) and got != expected:
        return " The sizes are right but in another order: check which axis is which."
    return ""


def report(name: str, oracle: str, cases: list[str], max_error: float) -> None:
    """Print what a passed check verified."""
    print(f"✓ {name} matches {oracle} on {len(cases)} random cases "
          f"({'; '.join(cases)}); largest difference {max_error:.1e}.")

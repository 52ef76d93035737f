"""What every exercise check shares: random cases, calling the learner, explaining errors.

A check compares the learner's function with an oracle (usually the Keras layer given the
same weights) on several random cases. When they disagree, it does not stop at "wrong":
it reports the case, the shapes, the largest error and where it is, and, when the output
matches a known mistake ("suspect"), names that mistake.
"""

from __future__ import annotations

import numpy as np

RTOL = 1e-5
ATOL = 1e-5


def random_array(rng: np.random.Generator, *shape, scale: float = 1.0) -> np.ndarray:
    """Float32 normal noise: Keras computes in float32, so the oracle sees the same numbers."""
    return (scale * rng.standard_normal(shape)).astype(np.float32)


def call_learner(fn, args: tuple, name: str):
    """Call the learner's function, turning a stub's NotImplementedError into guidance."""
    try:
        return fn(*args)
    except NotImplementedError as error:
        raise NotImplementedError(
            f"{name} is still the exercise stub ({error}). Write its body, then run "
            "this check again.") from error


def as_array(value, what: str) -> np.ndarray:
    """Convert a NumPy/TensorFlow result to a float array, or explain why it cannot be."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise AssertionError(
            f"{what} should be an array, got {type(value).__name__}: {error}") from error
    return array


def assert_matches(got, expected: np.ndarray, what: str, case: str,
                   suspects: dict[str, np.ndarray] | None = None,
                   hint: str = "") -> float:
    """Raise an explanatory AssertionError unless ``got`` equals ``expected``.

    ``suspects`` maps a description of a likely mistake to the output that mistake would
    produce; if ``got`` equals one of them, the message names the mistake. Returns the
    largest absolute error, for the success message.
    """
    got = as_array(got, what)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise AssertionError(
            f"{what} has shape {got.shape}, expected {expected.shape} ({case})."
            + _shape_hint(got.shape, expected.shape) + (f" Hint: {hint}" if hint else ""))
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"{what} contains NaN or infinity ({case}).")
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
        if hint:
            message += f" Hint: {hint}"
    raise AssertionError(message)


def _shape_hint(got: tuple, expected: tuple) -> str:
    if sorted(got) == sorted(expected) and got != expected:
        return " The sizes are right but in another order: check which axis is which."
    return ""


def report(name: str, oracle: str, cases: list[str], max_error: float) -> None:
    """Print what a passed check verified."""
    print(f"✓ {name} matches {oracle} on {len(cases)} random cases "
          f"({'; '.join(cases)}); largest difference {max_error:.1e}.")

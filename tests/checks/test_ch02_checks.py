"""rnncourse.checks.ch02: right answers pass, deliberately wrong ones are named."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import tensorflow as tf

from rnncourse.checks import check_clip_by_global_norm, check_gradient_norms
from rnncourse.checks._common import CheckFailed

# --- the checks themselves: gradient norms -------------------------------------------

def jacobians_by_time(layer, x):
    """(batch, T, units, d) Jacobians with tape.batch_jacobian: a third way to get them."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        h_last = layer(x)
    jac = tape.batch_jacobian(h_last, x).numpy()  # (batch, units, T, d)
    return np.transpose(jac, (0, 2, 1, 3))


def good_norms(layer, x):
    jac = jacobians_by_time(layer, x)
    return np.sqrt((jac**2).sum(axis=(2, 3))).mean(axis=0)[::-1]


@pytest.mark.slow
def test_gradient_check_accepts_a_correct_function(capsys):
    check_gradient_norms(good_norms)
    assert "✓ gradient_norms_by_lag matches" in capsys.readouterr().out


def by_time(layer, x):
    return good_norms(layer, x)[::-1]


def squared(layer, x):
    jac = jacobians_by_time(layer, x)
    return (jac**2).sum(axis=(2, 3)).mean(axis=0)[::-1]


def summed_over_batch(layer, x):
    jac = jacobians_by_time(layer, x)
    return np.sqrt((jac**2).sum(axis=(2, 3))).sum(axis=0)[::-1]


def gradient_of_sum(layer, x):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(layer(x))
    grad = tape.gradient(total, x).numpy()  # (batch, T, d)
    return np.linalg.norm(grad, axis=2).mean(axis=0)[::-1]


def first_sequence_only(layer, x):
    return good_norms(layer, x[:1])


def spectral(layer, x):
    jac = jacobians_by_time(layer, x)
    return np.linalg.norm(jac, ord=2, axis=(2, 3)).mean(axis=0)[::-1]


def one_lag_too_many(layer, x):
    return np.concatenate([good_norms(layer, x), [0.0]])


@pytest.mark.parametrize("wrong, message", [
    (by_time, "index by time instead of by lag"),
    (squared, "forget the square root"),
    (summed_over_batch, "sum the norms over the batch"),
    (gradient_of_sum, r"gradient of sum\(h_T\)"),
    (first_sequence_only, "only the first sequence"),
    (spectral, "spectral norm"),
    (one_lag_too_many, "shape"),
    (lambda layer, x: None, "returned None .*did you forget `return`"),
    (lambda layer, x: "norms", "should be an array|could not convert"),
])
def test_gradient_check_names_the_mistake(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_gradient_norms(wrong)


def test_gradient_check_turns_the_stub_into_guidance():
    def stub(layer, x):
        raise NotImplementedError("write me")

    with pytest.raises(CheckFailed, match="still the exercise stub"):
        check_gradient_norms(stub)


# --- the checks themselves: clipping ---------------------------------------------------

def good_clip(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm


def test_clip_check_accepts_correct_functions(capsys):
    check_clip_by_global_norm(good_clip)
    check_clip_by_global_norm(lambda grads, c: (good_clip(grads, c)[0],
                                                np.float32(good_clip(grads, c)[1])))
    assert capsys.readouterr().out.count("✓ clip_by_global_norm matches") == 2


def tf_numpy(grads, max_norm):
    clipped, norm = tf.clip_by_global_norm(grads, max_norm)
    return [g.numpy() for g in clipped], float(norm)


def tf_global_norm(grads, max_norm):
    norm = float(tf.linalg.global_norm(grads))
    return good_clip(grads, max_norm)[0], norm


def tf_by_hand_tensors(grads, max_norm):
    clipped, norm = good_clip(grads, max_norm)
    return [tf.constant(g) for g in clipped], tf.constant(norm)


@pytest.mark.parametrize("not_by_hand, message", [
    (lambda grads, c: tf.clip_by_global_norm(grads, c), "by hand"),
    (tf_numpy, "by hand"),
    (tf_global_norm, "by hand"),
    (tf_by_hand_tensors, "NumPy"),
])
def test_clip_check_refuses_tensorflow_in_place_of_your_own_code(not_by_hand, message):
    with pytest.raises(CheckFailed, match=message):
        check_clip_by_global_norm(not_by_hand)


def per_tensor(grads, max_norm):
    norm = good_clip(grads, max_norm)[1]
    return [good_clip([g], max_norm)[0][0] for g in grads], norm


def always_scaled(grads, max_norm):
    norm = good_clip(grads, max_norm)[1]
    return [g * max_norm / norm if norm else g for g in grads], norm


def norm_after(grads, max_norm):
    clipped, norm = good_clip(grads, max_norm)
    return clipped, min(norm, max_norm)


def no_square_root(grads, max_norm):
    squares = float(sum(np.sum(np.square(g)) for g in grads))
    scale = min(1.0, max_norm / squares) if squares else 1.0
    return [g * scale for g in grads], float(np.sqrt(squares))


def by_value(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads], good_clip(grads, max_norm)[1]


def divides_by_zero(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return [g / np.float32(norm) * min(norm, max_norm) for g in grads], norm


def stacked(grads, max_norm):
    clipped, norm = good_clip(grads, max_norm)
    return [np.concatenate([g.ravel() for g in clipped])], norm


@pytest.mark.parametrize("wrong, message", [
    (per_tensor, "per tensor"),
    (always_scaled, "below max_norm"),
    (norm_after, "after clipping"),
    (no_square_root, "square root"),
    (by_value, "clipping by value"),
    (divides_by_zero, "NaN|dividing by zero"),
    (stacked, "expected one per gradient"),
    (lambda grads, c: good_clip(grads, c)[0], r"only the clipped arrays.*global_norm\)"),
])
def test_clip_check_names_the_mistake(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_clip_by_global_norm(wrong)


def test_clip_check_turns_the_stub_into_guidance():
    def stub(grads, max_norm):
        raise NotImplementedError("write me")

    with pytest.raises(CheckFailed, match="still the exercise stub"):
        check_clip_by_global_norm(stub)


# --- returning nothing, or the wrong thing ----------------------------------------------

@pytest.mark.parametrize("wrong, message", [
    (lambda grads, c: None, "returned None.*did you forget `return`"),
    (lambda grads, c: (None, good_clip(grads, c)[1]), "item 0 of .* is None"),
    (lambda grads, c: (good_clip(grads, c)[0], None), "item 1 of .* is None"),
    (lambda grads, c: (*good_clip(grads, c), 0), "tuple of 2 items, got 3"),
    (lambda grads, c: (good_clip(grads, c)[0][0], good_clip(grads, c)[1]),
     "one array per gradient tensor, got one array of shape"),
    (lambda grads, c: ([None] * len(grads), good_clip(grads, c)[1]), r"clipped\[0\] is None"),
    (lambda grads, c: (good_clip(grads, c)[0], [good_clip(grads, c)[1]] * 2),
     "global_norm should be one number"),
])
def test_clip_check_explains_a_missing_or_malformed_result(wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_clip_by_global_norm(wrong)


def test_clip_check_accepts_a_list_instead_of_a_tuple(capsys):
    check_clip_by_global_norm(lambda grads, c: list(good_clip(grads, c)))
    assert "✓ clip_by_global_norm matches" in capsys.readouterr().out


def test_clip_error_names_the_tensor_and_the_index_within_it():
    def wrong_last_tensor(grads, max_norm):
        clipped, norm = good_clip(grads, max_norm)
        clipped[-1] = clipped[-1] + 1.0
        return clipped, norm

    with pytest.raises(CheckFailed, match=r"clipped\[2\] \(tensor 2, shape \(2, 2, 3\)\) differs"
                       r".*at index \(\d, \d, \d\)"):
        check_clip_by_global_norm(wrong_last_tensor)


def test_messages_count_in_good_english(capsys):
    check_clip_by_global_norm(good_clip)
    out = capsys.readouterr().out
    assert "1 tensor of shapes [(6,)]" in out and "tensor(s)" not in out
    with pytest.raises(CheckFailed) as failed:
        check_gradient_norms(by_time)
    assert "the norm array differs" in str(failed.value)
    assert "norms differs" not in str(failed.value)


def test_hints_step_up():
    def off(layer, x):
        return 1.5 * good_norms(layer, x)

    with pytest.raises(CheckFailed) as plain:
        check_gradient_norms(off)
    assert "hint=True" in str(plain.value) and "Frobenius" not in str(plain.value)
    with pytest.raises(CheckFailed, match=r"Hint: norms\[k\] = mean over the batch"):
        check_gradient_norms(off, hint=True)


def test_gradient_check_raises_from_the_learner_with_the_case_and_shapes():
    def transposed(layer, x):
        return np.ones(x.shape[1]) @ np.ones((x.shape[0], 2))

    with pytest.raises(CheckFailed,
                       match=r"raised ValueError.*SimpleRNN, batch=1.*shape \(1, 5, 3\)"):
        check_gradient_norms(transposed)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.mark.slow
def test_gradient_check_prints_no_retracing_warnings():
    """batch_jacobian traces a function per input shape; the check's cases differ in shape
    on purpose, so TensorFlow's warnings are kept quiet while the learner's code runs."""
    logger, collect = tf.get_logger(), _Collect()  # TensorFlow's logger does not propagate
    level = logger.level
    logger.setLevel(logging.WARNING)  # as in a fresh notebook, whatever ran before
    logger.addHandler(collect)
    levels_seen = []

    def recording(layer, x):
        levels_seen.append(logger.getEffectiveLevel())
        return good_norms(layer, x)

    try:
        for seed in range(3):  # 12 calls, 4 shapes
            check_gradient_norms(recording, seed=seed)
        assert not [m for m in collect.messages if "retracing" in m]
        assert levels_seen and set(levels_seen) == {logging.ERROR}
        assert logger.level == logging.WARNING  # the check restores the logger
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)


def test_checks_use_the_seed():
    seen = {}

    def recording(seed):
        def clip(grads, max_norm):
            seen.setdefault(seed, grads[0].copy())
            return good_clip(grads, max_norm)
        return clip

    for seed in (1, 2):
        check_clip_by_global_norm(recording(seed), seed=seed)
    assert not np.array_equal(seen[1], seen[2])

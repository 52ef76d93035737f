"""The long-range task of rnncourse.tasks (chapters 2 and 4)."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.tasks import (
    LAYERS,
    build_long_range_model,
    long_range_data,
    train_long_range,
)


@pytest.mark.parametrize("n, length, n_classes", [(1, 1, 2), (10, 7, 4), (101, 30, 3)])
def test_shapes_and_types(n, length, n_classes):
    x, y = long_range_data(n, length, n_classes=n_classes, seed=3)
    assert x.shape == (n, length, n_classes + 1) and x.dtype == np.float32
    assert y.shape == (n,) and np.issubdtype(y.dtype, np.integer)
    assert y.min() >= 0 and y.max() < n_classes


def test_every_step_is_one_hot_and_the_first_is_the_flagged_cue():
    x, y = long_range_data(200, 12, seed=1)
    symbols, flag = x[:, :, :4], x[:, :, 4]
    assert np.all(symbols.sum(axis=2) == 1)  # one symbol per step
    assert np.all(flag[:, 0] == 1) and np.all(flag[:, 1:] == 0)  # the cue is step 0
    np.testing.assert_array_equal(symbols[:, 0].argmax(axis=1), y)  # label = cue


def test_labels_are_balanced():
    for n in (4, 10, 1001):
        _, y = long_range_data(n, 5, seed=0)
        counts = np.bincount(y, minlength=4)
        assert counts.max() - counts.min() <= 1


def test_distractors_carry_no_information_about_the_label():
    x, y = long_range_data(8000, 6, seed=2)
    later = x[:, 1:, :4].argmax(axis=2)  # (n, 5) distractor symbols
    for label in range(4):
        frequencies = np.bincount(later[y == label].ravel(), minlength=4) / later[y == label].size
        np.testing.assert_allclose(frequencies, 0.25, atol=0.02)


def test_cue_anywhere_and_no_distractors():
    x, y = long_range_data(500, 9, seed=4, cue_at="anywhere")
    flag = x[:, :, 4]
    assert np.all(flag.sum(axis=1) == 1)
    positions = flag.argmax(axis=1)
    assert len(set(positions.tolist())) == 9  # every position occurs
    np.testing.assert_array_equal(x[np.arange(500), positions, :4].argmax(axis=1), y)
    quiet, y_quiet = long_range_data(50, 6, seed=4, distractors=False)
    assert np.all(quiet[:, 1:] == 0) and np.all(quiet[:, 0].sum(axis=1) == 2)
    np.testing.assert_array_equal(quiet[:, 0, :4].argmax(axis=1), y_quiet)


def test_same_seed_same_data_other_seed_other_data():
    a = long_range_data(50, 8, seed=7)
    b = long_range_data(50, 8, seed=7)
    c = long_range_data(50, 8, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0, "length": 5}, "n must be at least 1"),
    ({"n": 5, "length": 0}, "length must be at least 1"),
    ({"n": 5, "length": 2.5}, "length must be an integer"),
    ({"n": 5, "length": 5, "n_classes": 1}, "n_classes must be at least 2"),
    ({"n": 5, "length": 5, "seed": -1}, "seed must be at least 0"),
    ({"n": True, "length": 5}, "n must be an integer"),
    ({"n": 5, "length": 5, "cue_at": "end"}, "cue_at must be"),
    ({"n": 5, "length": 5, "distractors": "yes"}, "distractors must be True or False"),
])
def test_data_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        long_range_data(**kwargs)


SMALL_RUN = {"units": 4, "epochs": 1, "n_train": 64, "n_test": 16, "seed": 0}


@pytest.mark.slow
@pytest.mark.parametrize("layer", LAYERS)
def test_train_long_range_reports_and_is_deterministic(layer):
    _, first = train_long_range(layer, 5, **SMALL_RUN)
    _, second = train_long_range(layer, 5, **SMALL_RUN)
    assert set(first) == {"accuracy", "chance", "seconds", "params"}
    assert 0 <= first["accuracy"] <= 1 and first["chance"] == 0.25 and first["seconds"] > 0
    assert isinstance(first["accuracy"], float) and isinstance(first["params"], int)
    assert first["accuracy"] == second["accuracy"] and first["params"] == second["params"]


@pytest.mark.slow
def test_parameter_counts_and_the_model_are_keras_own():
    model, result = train_long_range("LSTM", 5, **SMALL_RUN)
    assert result["params"] == model.count_params()
    assert result["params"] == 4 * (4 * (5 + 4) + 4) + (4 * 4 + 4)  # LSTM + dense
    assert model.get_layer("lstm").units == 4
    model = build_long_range_model("GRU", 7, 5, 4, units=3)
    assert model.output_shape == (None, 4)


@pytest.mark.parametrize("args, kwargs, message", [
    (("RNN", 5), {}, "layer must be one of SimpleRNN, LSTM, GRU"),
    (("LSTM", 0), {}, "length must be at least 1"),
    (("LSTM", 5), {"units": 0}, "units must be at least 1"),
    (("LSTM", 5), {"epochs": 1.5}, "epochs must be an integer"),
    (("LSTM", 5), {"n_train": 2}, "n_train must be at least 4"),
    (("LSTM", 5), {"n_test": 3}, "n_test must be at least 4"),
    (("LSTM", 5), {"learning_rate": 0}, "learning_rate must be a positive number"),
    (("LSTM", 5), {"batch_size": 0}, "batch_size must be at least 1"),
])
def test_training_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_long_range(*args, **{**SMALL_RUN, **kwargs})

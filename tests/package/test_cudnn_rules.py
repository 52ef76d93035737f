"""rnncourse.cudnn_rules (cuDNN's mask rules enforced on a CPU) and TF32 being off."""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnncourse
from rnncourse import cudnn_rules

# Each test trains or runs a small Keras model: seconds each (make test runs them).
pytestmark = pytest.mark.slow

PRE = np.array([[0, 0, 1, 2], [3, 4, 5, 6]])  # padding in front: cuDNN refuses the mask
POST = np.array([[1, 2, 0, 0], [3, 4, 5, 6]])  # right-padded: accepted
EMPTY_ROW = np.array([[0, 0, 0, 0], [3, 4, 5, 6]])  # a fully masked row: refused
LAYERS = {
    "LSTM": lambda **options: keras.layers.LSTM(3, **options),
    "GRU": lambda **options: keras.layers.GRU(3, **options),
    "BiLSTM": lambda **options: keras.layers.Bidirectional(keras.layers.LSTM(3, **options)),
}


@pytest.fixture
def checked():
    was_installed = cudnn_rules.installed()
    cudnn_rules.install()
    yield
    if not was_installed:
        cudnn_rules.uninstall()


def masked_model(layer, **options):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(10, 4, mask_zero=True)(ids)
    model = keras.Model(ids, keras.layers.Dense(1)(layer(**options)(x)))
    model.compile("adam", "mse")
    return model


@pytest.mark.parametrize("kind", list(LAYERS))
def test_right_padded_masks_pass(checked, kind):
    model = masked_model(LAYERS[kind])
    model(POST)
    model.fit(POST, np.zeros(2), verbose=0)


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("ids", [PRE, EMPTY_ROW], ids=["pre-padded", "fully-masked-row"])
def test_masks_that_cudnn_refuses_fail_on_the_cpu_too(checked, kind, ids):
    model = masked_model(LAYERS[kind])
    with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
        model(ids)
    with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
        model.fit(ids, np.zeros(2), verbose=0)  # inside tf.function as well


def test_layers_that_opt_out_of_cudnn_are_not_checked(checked):
    masked_model(LAYERS["LSTM"], use_cudnn=False).fit(PRE, np.zeros(2), verbose=0)
    masked_model(LAYERS["GRU"], recurrent_dropout=0.1).fit(PRE, np.zeros(2), verbose=0)


def test_uninstall_restores_keras():
    cudnn_rules.install()
    cudnn_rules.install()  # idempotent
    cudnn_rules.uninstall()
    assert not cudnn_rules.installed()
    masked_model(LAYERS["LSTM"])(PRE)  # Keras' CPU loop accepts any mask


def test_tensor_float_32_is_off_after_import():
    assert rnncourse  # imported at the top of this module, as every notebook does
    assert tf.config.experimental.tensor_float_32_execution_enabled() is False


def test_importing_rnncourse_installs_the_check_when_asked():
    """The tests' notebook kernels set the variable (tests/notebooks.py), nobody else."""
    program = ("import rnncourse, tensorflow as tf; from rnncourse import cudnn_rules; "
               "print(cudnn_rules.installed(), "
               "tf.config.experimental.tensor_float_32_execution_enabled())")
    for value, expected in [("1", "True False"), ("", "False False")]:
        environment = {**os.environ, cudnn_rules.ENVIRONMENT_VARIABLE: value,
                       "TF_CPP_MIN_LOG_LEVEL": "3"}
        result = subprocess.run([sys.executable, "-c", program], env=environment,
                                capture_output=True, text=True, check=True, timeout=300)
        assert result.stdout.split()[-2:] == expected.split(), result.stdout

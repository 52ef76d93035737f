"""The notebook kernels the tests start enforce cuDNN's mask rules (rnncourse/cudnn_rules.py).

tests/notebooks.py sets RNNCOURSE_CHECK_CUDNN_MASKS=1 for every kernel it starts, and
``import rnncourse`` then installs Keras' own check, so every small run of every chapter and
solution (tests/chapters/test_small_runs.py) fails where a GPU would. This test runs a
tiny notebook through the same helper: a pre-padded, masked LSTM must fail, and the same
model with the padding at the end, or with ``use_cudnn=False``, must not.
"""

from __future__ import annotations

import nbformat
import papermill
import pytest
from notebooks import execute

SETUP = """
import rnncourse  # noqa: F401
import keras
import numpy as np

ids = keras.Input(shape=(None,), dtype="int32")
x = keras.layers.Embedding(10, 4, mask_zero=True)(ids)
model = keras.Model(ids, keras.layers.LSTM(3, use_cudnn=USE_CUDNN)(x))
"""


def notebook(tmp_path, padded_ids: str, use_cudnn: str = '"auto"'):
    path = tmp_path / "cudnn_probe.ipynb"
    cells = [nbformat.v4.new_code_cell(SETUP.replace("USE_CUDNN", use_cudnn)),
             nbformat.v4.new_code_cell(f"model(np.array({padded_ids}))")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return str(path)


def test_a_pre_padded_mask_fails_in_the_tests_kernels(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="right-padded"):
        execute(notebook(tmp_path, "[[0, 0, 1, 2]]"), {}, tmp_path)


@pytest.mark.parametrize("padded_ids, use_cudnn", [("[[1, 2, 0, 0]]", '"auto"'),
                                                  ("[[0, 0, 1, 2]]", "False")])
def test_right_padding_or_opting_out_of_cudnn_passes(tmp_path, padded_ids, use_cudnn):
    execute(notebook(tmp_path, padded_ids, use_cudnn), {}, tmp_path)

"""The Keras layers of chapter 6's saved end-to-end model (``sentiment.end_to_end``).

They live in a module of their own, which ``import rnncourse`` imports as soon as Keras is
imported: a saved ``.keras`` file names them, so Keras must know them before
``keras.models.load_model`` reads the file, and a user who saved the model should not
need to import ``rnncourse.sentiment`` (and its data and training code) to load it.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from rnncourse.data import LINE_BREAK

__all__ = ["CleanReviews", "LastTokens"]


@keras.saving.register_keras_serializable(package="rnncourse")
class LastTokens(keras.layers.Layer):
    """Keep each row's last ``max_length`` non-zero ids, padded with zeros at the end.

    Input: ids ``(batch, time)`` padded with 0 at the end, as ``TextVectorization``
    returns them; output: ``(batch, max_length)``, the same as ``pad(..., "post")``.
    The words stay in front, so a mask made from the zeros is right-padded, as cuDNN
    requires on a GPU.
    """

    def __init__(self, max_length: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(max_length, bool) or int(max_length) != max_length or max_length < 1:
            raise ValueError(f"max_length must be a positive integer, got {max_length!r}")
        self.max_length = int(max_length)

    def call(self, ids):
        ids = ops.pad(ops.convert_to_tensor(ids), [[0, 0], [0, 1]])  # never zero-width
        count = ops.sum(ops.cast(ops.not_equal(ids, 0), "int32"), axis=1, keepdims=True)
        kept = ops.minimum(count, self.max_length)
        # Output position j holds the word at (count - kept + j) while j < kept, then 0.
        positions = ops.arange(self.max_length, dtype="int32")[None]
        source = count - kept + positions
        picked = ops.take_along_axis(ids, ops.clip(source, 0, ops.shape(ids)[1] - 1), axis=1)
        return ops.where(positions < kept, picked, ops.zeros_like(picked))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.max_length)

    def get_config(self):
        return {**super().get_config(), "max_length": self.max_length}


@keras.saving.register_keras_serializable(package="rnncourse")
class CleanReviews(keras.layers.Layer):
    """Replace the HTML line breaks (``<br />``) of raw reviews by spaces, as ``load_imdb``.

    Input and output: strings ``(batch,)``. The TensorFlow twin of ``data.clean_review``
    (inside a model it saves with it).
    """

    def call(self, texts):
        return tf.strings.regex_replace(texts, "(?i)" + LINE_BREAK, " ")

    def compute_output_shape(self, input_shape):
        return input_shape

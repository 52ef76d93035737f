"""Make a CPU enforce the mask rules of cuDNN, so that a notebook that breaks them fails here.

On a GPU, Keras' TensorFlow backend runs ``LSTM`` and ``GRU`` layers through cuDNN
whenever their settings allow it (``use_cudnn="auto"``, tanh and sigmoid activations, a
bias, no recurrent dropout, not unrolled). cuDNN accepts a mask only if every row is
*right-padded* (real steps first, padding after) and no row is fully masked; otherwise
``fit`` stops with "You are passing a RNN mask that does not correspond to right-padded
sequences, while using cuDNN". On a CPU the same code runs Keras' generic loop, which
accepts any mask, so the mistake stays hidden until a learner opens the notebook on Colab.

``install()`` wraps ``keras.src.backend.lstm`` and ``gru`` (the functions the layers call
to try cuDNN) so that, wherever a GPU would take the cuDNN path, Keras' own check
(``keras.src.backend.tensorflow.rnn._assert_valid_mask``) runs on the mask first; then
the original function runs as before (on a CPU it declines, and the generic loop runs).
A layer with ``use_cudnn=False`` never calls these functions, so it is not checked, as
on a GPU.

The tests turn this on for every notebook they execute: ``tests/notebooks.py`` sets
``RNNCOURSE_CHECK_CUDNN_MASKS=1`` for the kernel, and ``import rnncourse`` then calls
``install()``.
"""

from __future__ import annotations

import functools
import importlib
import inspect

ENVIRONMENT_VARIABLE = "RNNCOURSE_CHECK_CUDNN_MASKS"
_WRAPPED = "_rnncourse_cudnn_checked"


def _checked(original, arguments_support_cudnn):
    signature = inspect.signature(original)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        options = {"activation": given["activation"],
                   "recurrent_activation": given["recurrent_activation"],
                   "unroll": given["unroll"], "use_bias": given["bias"] is not None}
        if "reset_after" in given:
            options["reset_after"] = given["reset_after"]
        if given["mask"] is not None and arguments_support_cudnn(**options):
            rnn._assert_valid_mask(given["mask"])  # Keras' own check, as on a GPU
        return original(*args, **kwargs)

    setattr(wrapper, _WRAPPED, original)
    return wrapper


def install() -> None:
    """Check every cuDNN-eligible LSTM and GRU call's mask from now on (idempotent)."""
    from keras.src import backend

    # The module, not the function of the same name that the package re-exports.
    rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    supports = {"lstm": rnn._do_lstm_arguments_support_cudnn,
                "gru": rnn._do_gru_arguments_support_cudnn}
    for name, arguments_support_cudnn in supports.items():
        current = getattr(backend, name)
        if not hasattr(current, _WRAPPED):
            setattr(backend, name, _checked(current, arguments_support_cudnn))


def uninstall() -> None:
    """Undo ``install()``."""
    from keras.src import backend

    for name in ("lstm", "gru"):
        current = getattr(backend, name)
        if hasattr(current, _WRAPPED):
            setattr(backend, name, getattr(current, _WRAPPED))


def installed() -> bool:
    from keras.src import backend

    return all(hasattr(getattr(backend, name), _WRAPPED) for name in ("lstm", "gru"))

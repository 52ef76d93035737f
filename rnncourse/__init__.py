"""Plumbing shared by the notebooks of the Recurrent Neural Networks course.

Every notebook starts with ``import rnncourse``: importing the package first loads
TensorFlow with its C++ start-up messages (oneDNN, CUDA probing, absl) silenced, so
they do not clutter the notebooks and the book.
"""

import contextlib
import os

__version__ = "0.1.0"


@contextlib.contextmanager
def _stderr_silenced():
    """Send file descriptor 2 to /dev/null: TensorFlow's C++ logging bypasses Python."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _load_tensorflow_quietly() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # a reader's own choice wins
    try:
        with _stderr_silenced():
            import tensorflow as tf

            # Device discovery logs once more on first use; trigger it while silenced.
            tf.config.list_physical_devices()
    except ImportError:  # the pure-Python parts (exercise generator) work without it
        pass


_load_tensorflow_quietly()

from rnncourse.record import record  # noqa: E402

__all__ = ["record"]

"""Plumbing shared by the notebooks of the Recurrent Neural Networks course.

Importing the package first (before TensorFlow) silences TensorFlow's C++ start-up
logging, so every notebook starts with ``import rnncourse``.
"""

import os

# Must be set before TensorFlow is imported for the first time; setdefault keeps a
# reader's own choice.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from rnncourse.record import record  # noqa: E402

__all__ = ["record"]
__version__ = "0.1.0"

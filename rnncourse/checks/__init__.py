"""Exercise checks, one module per chapter: ``from rnncourse.checks import check_rnn_step``.

Each check returns normally (printing what it verified) when the learner's function is
right, and raises ``AssertionError`` saying what is wrong when it is not.
"""

from rnncourse.checks.ch01 import check_rnn_forward, check_rnn_step

__all__ = ["check_rnn_step", "check_rnn_forward"]

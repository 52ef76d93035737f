"""Exercise checks, one module per chapter: ``from rnncourse.checks import check_rnn_step``.

Each check returns normally (printing what it verified) when the learner's function is
right, and raises ``AssertionError`` saying what is wrong when it is not.
"""

from rnncourse.checks.ch01 import check_rnn_forward, check_rnn_step
from rnncourse.checks.ch02 import check_clip_by_global_norm, check_gradient_norms
from rnncourse.checks.ch03 import check_lstm_step
from rnncourse.checks.ch04 import check_gru_step
from rnncourse.checks.ch06 import check_imdb_classifier

__all__ = ["check_rnn_step", "check_rnn_forward", "check_gradient_norms",
           "check_clip_by_global_norm", "check_lstm_step", "check_gru_step",
           "check_imdb_classifier"]

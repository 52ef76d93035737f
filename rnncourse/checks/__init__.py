"""Exercise checks, one module per chapter: ``from rnncourse.checks import check_masked_rnn``.

Each check returns normally (printing what it verified) when the learner's function is
right, and raises ``AssertionError`` saying what is wrong when it is not.
"""

from rnncourse.checks.ch01 import check_backward_rnn, check_masked_rnn
from rnncourse.checks.ch02 import check_clip_by_global_norm, check_gradient_norms
from rnncourse.checks.ch03 import check_cifg_step, check_cifg_to_lstm
from rnncourse.checks.ch04 import check_gru_step_torch, check_torch_gru_to_keras
from rnncourse.checks.ch05 import (
    check_bidirectional_forward,
    check_merge_directions,
    check_stacked_bidirectional,
)
from rnncourse.checks.ch06 import check_imdb_classifier, check_imdb_model, check_training

__all__ = ["check_masked_rnn", "check_backward_rnn", "check_gradient_norms",
           "check_clip_by_global_norm", "check_cifg_step", "check_cifg_to_lstm",
           "check_gru_step_torch", "check_torch_gru_to_keras",
           "check_merge_directions", "check_bidirectional_forward",
           "check_stacked_bidirectional",
           "check_imdb_model", "check_training", "check_imdb_classifier"]

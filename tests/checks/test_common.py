"""rnncourse.checks._common: how every check talks to a learner."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks._common import (
    CheckFailed,
    StillAStub,
    assert_matches,
    call_learner,
    expect_tuple,
    require_earlier_part,
)


def test_a_failed_check_renders_as_its_message_alone_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    result = shell.run_cell(
        "from rnncourse.checks._common import CheckFailed\n"
        "raise CheckFailed('gate order looks like i, f, o, c')")
    assert isinstance(result.error_in_exec, CheckFailed)
    rendered = result.error_in_exec._render_traceback_()
    assert len(rendered) == 1 and "gate order looks like i, f, o, c" in rendered[0]
    assert "_common.py" not in "".join(rendered)


def test_a_stub_is_reported_as_a_stub():
    def stub(x):
        raise NotImplementedError("one line: tanh of the affine map")

    with pytest.raises(NotImplementedError, match="still the exercise stub"):
        call_learner(stub, (1,), "rnn_step")


def test_a_missing_return_is_named():
    def forgot(x):
        x + 1

    with pytest.raises(CheckFailed, match=r"returned None \(case 1\): did you forget `return`"):
        call_learner(forgot, (1,), "rnn_step", case="case 1")


def test_an_error_in_the_learners_code_names_case_shapes_and_their_line():
    def transposed(x, kernel):
        return x @ kernel.T

    with pytest.raises(CheckFailed) as failure:
        call_learner(transposed, (np.ones((2, 3)), np.ones((3, 4))), "rnn_step",
                     case="batch 2, input 3, units 4")
    message = str(failure.value)
    assert "ValueError" in message and "batch 2, input 3, units 4" in message
    assert "shape (2, 3), shape (3, 4)" in message
    assert "x @ kernel.T" in message  # the learner's own line
    assert "rnncourse/checks" not in message  # none of the grader's


@pytest.mark.parametrize("value, message", [
    (None, "is None: did you forget `return`"),
    (np.zeros(3), "should be a tuple of 2 items, got a ndarray"),
    ((1, 2, 3), "should be a tuple of 2 items, got 3"),
    ((None, 1.0), "item 0 of .* is None"),
])
def test_expect_tuple_explains_what_it_got(value, message):
    with pytest.raises(CheckFailed, match=message):
        expect_tuple(value, 2, "clip_by_global_norm's result")


def test_expect_tuple_accepts_a_list():
    assert expect_tuple([1, 2], 2, "result") == (1, 2)


def test_hints_step_up_and_the_equation_waits_for_hint_true():
    expected = np.ones((2, 2))
    with pytest.raises(CheckFailed) as quiet:
        assert_matches(2 * expected, expected, "h_t", "case 1", hint="h = tanh(x W + h W + b)")
    assert "hint=True" in str(quiet.value) and "tanh" not in str(quiet.value)
    with pytest.raises(CheckFailed, match=r"Hint: h = tanh"):
        assert_matches(2 * expected, expected, "h_t", "case 1", hint="h = tanh(x W + h W + b)",
                       show_hint=True)


def test_a_named_suspect_comes_before_any_hint():
    expected = np.ones(3)
    with pytest.raises(CheckFailed, match="exactly what you get if you forgot tanh"):
        assert_matches(np.full(3, 5.0), expected, "h_t", "case 1",
                       suspects={"forgot tanh": np.full(3, 5.0)}, hint="the equation")


def test_none_result_is_named_by_assert_matches():
    with pytest.raises(CheckFailed, match="None: did you forget `return`"):
        assert_matches(None, np.ones(2), "h_t", "case 1")


def _part_one_check(fn):
    value = call_learner(fn, (1,), "part_one")
    if value != 2:
        raise CheckFailed(f"part_one(1) is {value}, expected 2")
    print("✓ part_one")


def test_a_later_part_names_a_mistake_in_an_earlier_one():
    with pytest.raises(CheckFailed, match=r"^Fix part 1 first: part_one\(1\) is 3"):
        require_earlier_part("part 1", _part_one_check, lambda x: 3)


def test_a_stubbed_earlier_part_stays_a_stub():
    def stub(x):
        raise NotImplementedError("double it")

    with pytest.raises(StillAStub,
                       match=r"^Write part 1 first: part_one is still the exercise stub"):
        require_earlier_part("part 1", _part_one_check, stub)


def test_an_earlier_part_that_passes_is_silent(capsys):
    require_earlier_part("part 1", _part_one_check, lambda x: 2)
    assert capsys.readouterr().out == ""


def test_a_message_about_an_even_earlier_part_is_passed_on():
    def part_two_check(fn):
        require_earlier_part("part 1", _part_one_check, fn)

    with pytest.raises(CheckFailed, match=r"^Fix part 1 first"):
        require_earlier_part("part 2", part_two_check, lambda x: 3)


def test_the_learner_gets_copies_so_mutating_them_cannot_change_the_reference():
    original = np.arange(6.0).reshape(2, 3)
    nested = [np.ones(2), (np.zeros(2),)]

    def vandal(a, items):
        a[:] = -1
        items[0][:] = -1
        items[1][0][:] = -1
        return a

    call_learner(vandal, (original, nested), "vandal")
    np.testing.assert_array_equal(original, np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(nested[0], np.ones(2))
    np.testing.assert_array_equal(nested[1][0], np.zeros(2))


def test_a_stub_message_ending_in_a_full_stop_is_not_doubled():
    def stub():
        raise NotImplementedError("use np.where(mask[:, t, None], new, old).")

    with pytest.raises(StillAStub) as failure:
        call_learner(stub, (), "masked_rnn_forward")
    assert "new, old))." in str(failure.value) and ".)." not in str(failure.value)

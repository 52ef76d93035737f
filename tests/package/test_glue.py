"""rnncourse.record: values stored for the book and the tests, shown nowhere."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell


def test_record_ending_a_cell_prints_nothing():
    shell = InteractiveShell.instance()
    shell.run_cell("from rnncourse import record")
    result = shell.run_cell("record('seconds', 30.705066158000136)")
    assert result.success and result.result is None


def test_record_name_must_be_an_identifier():
    from rnncourse import record

    with pytest.raises(ValueError, match="identifier"):
        record("two words", 1)

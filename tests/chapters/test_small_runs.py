"""papermill runs of every chapter and solution notebook with small parameters.

The runs are cached for the session, so the chapter tests that read their recorded
values (tests/test_chNN.py) reuse them.
"""

from __future__ import annotations

import pytest
from notebooks import ROOT, errors, notebook_files
from small_parameters import SMALL_PARAMETERS

RUNNABLE = [str(p.relative_to(ROOT)) for p in notebook_files.sources(("chapters", "solutions"))]


def test_every_runnable_notebook_has_small_parameters():
    missing = [nb for nb in RUNNABLE if nb not in SMALL_PARAMETERS]
    assert not missing, f"add small papermill parameters for {missing}"
    unknown = [nb for nb in SMALL_PARAMETERS if nb not in RUNNABLE]
    assert not unknown, f"small parameters for notebooks that do not exist: {unknown}"


@pytest.mark.parametrize("notebook", RUNNABLE)
def test_small_run_completes(notebook, run_notebook):
    executed = run_notebook(notebook, **SMALL_PARAMETERS.get(notebook, {}))
    assert errors(executed.notebook) == []
    if notebook.startswith("chapters/"):
        assert executed.values, f"{notebook} recorded nothing for the book and the tests"


@pytest.mark.parametrize("notebook", ["chapters/ch01_recurrent_loop.md"])
@pytest.mark.parametrize("bad", [{"TASK_EPOCHS": 0}, {"TASK_TRAIN": "many"}])
def test_bad_parameter_stops_with_a_clear_error(notebook, bad, tmp_path):
    import papermill
    from notebooks import execute

    with pytest.raises(papermill.PapermillExecutionError,
                       match=r"ParameterError.*parameter TASK_\w+ must be a whole number >= 1"):
        execute(notebook, bad, tmp_path)

"""Each exercise run as a learner receives it: its check cells, and only those, fail."""

from __future__ import annotations

import pytest
from notebooks import errors, execute_tolerating_tagged_errors, notebook_files
from small_parameters import SMALL_PARAMETERS

SOLUTIONS = notebook_files.sources(["solutions"])


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_check_cells_raise_on_the_untouched_stubs(solution, tmp_path):
    """Run the exercise as a learner receives it: every check cell must fail, no other."""
    name = f"exercises/{solution.name}"
    parameters = SMALL_PARAMETERS.get(f"solutions/{solution.name}", {})
    executed = execute_tolerating_tagged_errors(name, parameters, tmp_path)
    tagged = [i for i, cell in enumerate(executed.cells)
              if "raises-exception" in cell.metadata.get("tags", [])]
    raised = errors(executed)
    assert tagged, f"{name} has no check cell tagged raises-exception"
    assert [i for i, _, _ in raised] == tagged, (
        f"cells that raised {raised} differ from the tagged check cells {tagged}")
    # A stub raises NotImplementedError; a check that calls it reports StillAStub (a
    # NotImplementedError too, shown to the learner as the check's message alone).
    assert {ename for _, _, ename in raised} <= {"NotImplementedError", "StillAStub"}, raised

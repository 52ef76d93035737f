"""The exercise generator, and the committed exercises it produces."""

from __future__ import annotations

import nbformat
import pytest
from notebooks import ROOT

from rnncourse import exercises

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def code_cell(source, tags=()):
    return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})


def notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_marked_region_becomes_a_stub_with_the_hint_at_the_same_indent():
    source = ("def f(x):\n"
              "    ### BEGIN SOLUTION\n"
              "    ### HINT: double it.\n"
              "    return 2 * x\n"
              "    ### END SOLUTION\n"
              "\n"
              "y = 1")
    assert exercises.stub_solutions(source) == (
        "def f(x):\n    raise NotImplementedError('double it.')\n\ny = 1")


def test_region_without_hint_gets_the_default_hint():
    stub = exercises.stub_solutions("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    assert stub == f"raise NotImplementedError({exercises.DEFAULT_HINT!r})"


def test_long_hints_are_wrapped_into_valid_python():
    hint = "a very long hint " * 12
    stub = exercises.stub_solutions(f"    ### BEGIN SOLUTION\n    ### HINT: {hint}\n"
                                    "    pass\n    ### END SOLUTION")
    assert max(len(line) for line in stub.splitlines()) <= 88
    with pytest.raises(NotImplementedError) as raised:
        exec(compile("def f():\n" + stub + "\nf()", "<stub>", "exec"), {})
    assert str(raised.value) == hint.strip()


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nx = 1",
    "x = 1\n### END SOLUTION",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
])
def test_unbalanced_markers_are_refused(source):
    with pytest.raises(exercises.MarkerError):
        exercises.stub_solutions(source)


def test_tags_steer_the_exercise():
    solution = notebook(
        nbformat.v4.new_markdown_cell("# Solution 9 — Topic\n\nText."),
        code_cell("check(f)", tags=["uses-solution"]),
        nbformat.v4.new_markdown_cell("Why it works.", metadata={"tags": ["solution-only"]}),
    )
    exercise = exercises.make_exercise(solution)
    assert [c.cell_type for c in exercise.cells] == ["markdown", "code"]
    assert exercise.cells[0].source.startswith("# Exercise 9 — Topic")
    assert exercise.cells[1].metadata.tags == ["raises-exception"]


def test_outputs_are_dropped():
    cell = code_cell("1 + 1")
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                           execution_count=1)]
    cell.execution_count = 1
    exercise = exercises.make_exercise(notebook(cell))
    assert exercise.cells[0].outputs == [] and exercise.cells[0].execution_count is None


def test_committed_exercises_are_up_to_date():
    stale = exercises.generate(ROOT / "solutions", ROOT / "exercises", check=True)
    assert stale == [], f"run `make exercises`: stale {stale}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_text_leaks_into_the_exercise(solution):
    answer_lines = exercises.solution_lines(nbformat.read(solution, as_version=4))
    assert answer_lines, f"{solution.name} marks no solution region"
    exercise = nbformat.read(ROOT / "exercises" / solution.name, as_version=4)
    exercise_lines = {line.strip() for cell in exercise.cells
                      for line in cell.source.splitlines()}
    leaked = answer_lines & exercise_lines
    assert not leaked, f"solution lines found in the exercise: {sorted(leaked)}"

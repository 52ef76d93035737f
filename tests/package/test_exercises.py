"""The exercise generator, and the committed exercises it produces."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from notebooks import ROOT, notebook_files

import exercises

SOLUTIONS = notebook_files.sources(["solutions"])
# A locale whose encoding is ASCII, as a Windows cp1252 or a bare container's C locale is
# not UTF-8: a tool that relies on the locale's encoding fails on the course's em dashes.
ASCII_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


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
    answer_lines = exercises.solution_lines(notebook_files.read(solution))
    assert answer_lines, f"{solution.name} marks no solution region"
    exercise = notebook_files.read(ROOT / "exercises" / solution.name)
    exercise_lines = {line.strip() for cell in exercise.cells
                      for line in cell.source.splitlines()}
    leaked = answer_lines & exercise_lines
    assert not leaked, f"solution lines found in the exercise: {sorted(leaked)}"


def run_generator(*arguments, cwd=ROOT):
    env = {**os.environ, **ASCII_LOCALE}
    return subprocess.run([sys.executable, str(ROOT / "tools" / "exercises.py"), *arguments],
                          cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8")


@pytest.mark.slow
def test_the_generator_writes_utf8_whatever_the_locale(tmp_path):
    """Under an ASCII locale the generator still writes, and --check still reads, UTF-8."""
    exercises.generate(ROOT / "solutions", tmp_path / "expected")
    result = run_generator(str(ROOT / "solutions"), str(tmp_path / "ascii"))
    assert result.returncode == 0, result.stderr
    for expected in (tmp_path / "expected").glob("*.md"):
        assert (tmp_path / "ascii" / expected.name).read_bytes() == expected.read_bytes()
    check = run_generator(str(ROOT / "solutions"), str(tmp_path / "ascii"), "--check")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_the_generator_refuses_to_write_over_the_solutions(tmp_path):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    before = {p.name: p.read_bytes() for p in (tmp_path / "solutions").iterdir()}
    result = run_generator("solutions", "solutions", cwd=tmp_path)
    assert result.returncode == 2 and "must not be the solutions folder" in result.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "solutions").iterdir()} == before


@pytest.mark.slow
def test_a_broken_solution_changes_no_exercise(tmp_path):
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    first = sorted((tmp_path / "solutions").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace(
        "### END SOLUTION", "", 1), encoding="utf-8")
    last = sorted((tmp_path / "solutions").glob("*.md"))[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\nmore\n", encoding="utf-8")
    result = run_generator("solutions", "exercises", cwd=tmp_path)
    assert result.returncode == 2 and first.name in result.stderr, result.stderr
    for exercise in (ROOT / "exercises").glob("*.md"):
        assert (tmp_path / "exercises" / exercise.name).read_bytes() == exercise.read_bytes()
    assert first.name in result.stderr


@pytest.mark.slow
def test_a_folder_without_solutions_is_an_error(tmp_path):
    result = run_generator(str(tmp_path), str(tmp_path / "out"))
    assert result.returncode == 2 and "no solution notebooks" in result.stderr


@pytest.mark.slow
def test_check_reports_a_damaged_exercise_and_a_run_repairs_it(tmp_path):
    """An exercise saved as cp1252, cut short or left empty is stale, not a traceback."""
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    exercises.generate(tmp_path / "solutions", tmp_path / "exercises")
    expected = {p.name: p.read_bytes() for p in (tmp_path / "exercises").iterdir()}
    damaged = sorted((tmp_path / "exercises").glob("*.md"))[:3]
    text = damaged[0].read_text(encoding="utf-8")
    assert text != text.encode("ascii", "ignore").decode(), "needs a non-ASCII character"
    damaged[0].write_bytes(text.encode("cp1252", errors="replace"))  # what Windows wrote
    damaged[1].write_bytes(damaged[1].read_bytes()[:200])  # an interrupted write
    damaged[2].write_bytes(b"")
    check = run_generator("solutions", "exercises", "--check", cwd=tmp_path)
    assert check.returncode == 1 and "Traceback" not in check.stderr, check.stderr
    assert sorted(check.stdout.split()) == sorted(
        ["stale:"] * 3 + [str(Path("exercises") / p.name) for p in damaged])
    repair = run_generator("solutions", "exercises", cwd=tmp_path)
    assert repair.returncode == 0, repair.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "exercises").iterdir()} == expected


class InterruptedWrite:
    """A file whose first write stops half-way, as a killed process or a full disk does."""

    def __init__(self, handle):
        self.handle = handle

    def write(self, data):
        self.handle.write(data[:len(data) // 2])
        self.handle.flush()
        raise KeyboardInterrupt

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()

    def __getattr__(self, name):
        return getattr(self.handle, name)


@pytest.fixture
def interrupt_writes_under(monkeypatch):
    """``interrupt_writes_under(folder)``: every file opened for writing there stops half-way."""
    import builtins
    import io

    real_open = io.open

    def arm(folder):
        def interrupted_open(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            inside = isinstance(file, (str, os.PathLike)) and str(file).startswith(str(folder))
            return InterruptedWrite(handle) if inside and set(mode) & set("wax") else handle

        monkeypatch.setattr(io, "open", interrupted_open)
        monkeypatch.setattr(builtins, "open", interrupted_open)

    return arm


def test_an_interrupted_write_leaves_the_old_exercise_whole(tmp_path, interrupt_writes_under):
    exercises.generate(ROOT / "solutions", tmp_path / "exercises")
    target = sorted((tmp_path / "exercises").glob("*.md"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nOld text.\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (tmp_path / "exercises").iterdir()}
    interrupt_writes_under(tmp_path / "exercises")
    with pytest.raises(KeyboardInterrupt):
        exercises.generate(ROOT / "solutions", tmp_path / "exercises")
    after = {p.name: p.read_bytes() for p in (tmp_path / "exercises").iterdir()}
    assert after == before  # the old notebook, whole, and no temporary file left beside it

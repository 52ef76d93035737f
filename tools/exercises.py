"""Write the exercise notebooks from the solution notebooks (the one source of both).

In a solution notebook, the learner's part of a code cell sits between two marker lines::

    def rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias):
        ### BEGIN SOLUTION
        ### HINT: combine the input and previous state, then squash with tanh.
        return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)
        ### END SOLUTION

The exercise notebook gets, in its place, a stub at the same indentation that raises
``NotImplementedError`` with the hint. Cell tags steer the rest:

- ``solution-only``: the cell is left out of the exercise (discussion of the answer).
- ``uses-solution``: the cell calls the learner's code (a check, a demo); in the exercise
  it is tagged ``raises-exception`` so the notebook still runs top to bottom.

A top heading that starts with ``# Solution`` becomes ``# Exercise``. Outputs and
execution counts are dropped. Solutions and exercises are both MyST Markdown notebooks
(``tools/notebook_files.py``), so an exercise's diff shows what changed in its solution.

Usage: ``python tools/exercises.py SOLUTIONS_DIR EXERCISES_DIR [--check]``; with
``--check`` nothing is written and the exit status says whether the exercises are stale.
Every file is read and written as UTF-8 whatever the locale, and each exercise is written
whole or not at all (``notebook_files.write_text``).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import textwrap
from pathlib import Path

import notebook_files

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT = "### HINT:"
DEFAULT_HINT = "Replace this line with your code."
_BEGIN_LINE = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION\s*$")
_TITLE = re.compile(r"^# Solution\b")


class MarkerError(ValueError):
    """The solution markers in a notebook are unbalanced or misplaced."""


def make_exercise(solution: dict, where: str = "notebook") -> dict:
    """Return the exercise notebook (as a dict) generated from a solution notebook."""
    exercise = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(exercise["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if "solution-only" in tags:
            continue
        if cell["cell_type"] == "code":
            cell["source"] = stub_solutions(_text(cell["source"]),
                                            where=f"{where}, cell {index}")
            cell["outputs"], cell["execution_count"] = [], None
            if "uses-solution" in tags:
                cell["metadata"]["tags"] = [t for t in tags if t != "uses-solution"] + [
                    "raises-exception"]
        elif cell["cell_type"] == "markdown":
            cell["source"] = _TITLE.sub("# Exercise", _text(cell["source"]), count=1)
        cells.append(cell)
    exercise["cells"] = cells
    return exercise


def stub_solutions(source: str, where: str = "cell") -> str:
    """Replace every marked region of one cell's source by a ``NotImplementedError`` stub."""
    out, lines = [], source.split("\n")
    i = 0
    while i < len(lines):
        begin = _BEGIN_LINE.match(lines[i])
        if not begin:
            if END in lines[i] or BEGIN in lines[i]:
                raise MarkerError(f"{where}: stray marker {lines[i].strip()!r}")
            out.append(lines[i])
            i += 1
            continue
        end = _find_end(lines, i + 1, where)
        region = lines[i + 1:end]
        hint = next((line.split(HINT, 1)[1].strip() for line in region
                     if line.strip().startswith(HINT)), DEFAULT_HINT)
        out += _stub_lines(begin["indent"], hint)
        i = end + 1
    return "\n".join(out)


def solution_lines(solution: dict) -> set[str]:
    """The stripped lines that only the marked solution regions contain (for leak tests)."""
    inside, outside = set(), set()
    for cell in solution["cells"]:
        if cell["cell_type"] != "code":
            continue
        in_region = False
        for line in _text(cell["source"]).split("\n"):
            stripped = line.strip()
            if _BEGIN_LINE.match(line) or stripped == END:
                in_region = stripped != END
                continue
            if stripped and not stripped.startswith(HINT):
                (inside if in_region else outside).add(stripped)
    return inside - outside


def generate(solutions_dir: Path, exercises_dir: Path, check: bool = False) -> list[Path]:
    """Write (or, with ``check``, compare) every exercise; return the stale paths.

    Every solution is read before anything is written, so a broken one changes nothing.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    solution_paths = sorted(solutions_dir.glob("*" + notebook_files.SOURCE_SUFFIX))
    if not solution_paths:
        raise ExerciseSourceError(f"{solutions_dir}: no solution notebooks (*.md) here")
    if exercises_dir.resolve() == solutions_dir.resolve():
        raise ExerciseSourceError("the exercises folder must not be the solutions folder")
    texts = {}
    for solution_path in solution_paths:
        solution = notebook_files.read(solution_path)
        texts[exercises_dir / solution_path.name] = notebook_files.source_text(
            make_exercise(solution, where=solution_path.name))
    stale = []
    for target, text in texts.items():
        # Bytes, not text: an exercise saved in another encoding (cp1252), cut short or
        # empty is stale like any other, and is rewritten rather than unreadable.
        if not target.is_file() or target.read_bytes() != text.encode("utf-8"):
            stale.append(target)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                notebook_files.write_text(target, text)  # atomic: never a truncated file
    stale += [p for p in sorted(exercises_dir.glob("*" + notebook_files.SOURCE_SUFFIX))
              if p not in texts]
    return stale


class ExerciseSourceError(ValueError):
    """The folders given to the generator cannot be right (the message says why)."""


def _stub_lines(indent: str, hint: str, width: int = 88) -> list[str]:
    """``raise NotImplementedError(hint)``, wrapped so the line fits ``width``."""
    one_line = f"{indent}raise NotImplementedError({hint!r})"
    if len(one_line) <= width:
        return [one_line]
    chunks = textwrap.wrap(hint, width - len(indent) - 8, drop_whitespace=False)
    body = [f"{indent}    {chunk!r}" for chunk in chunks]
    return [f"{indent}raise NotImplementedError("] + body[:-1] + [body[-1] + ")"]


def _find_end(lines: list[str], start: int, where: str) -> int:
    for j in range(start, len(lines)):
        if lines[j].strip() == END:
            return j
        if BEGIN in lines[j]:
            break
    raise MarkerError(f"{where}: {BEGIN!r} without a matching {END!r}")


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("solutions", type=Path)
    parser.add_argument("exercises", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; fail if any exercise is stale")
    args = parser.parse_args(argv)
    try:
        stale = generate(args.solutions, args.exercises, check=args.check)
    except (MarkerError, ExerciseSourceError, notebook_files.NotebookFileError) as error:
        print(f"error: {error}; nothing was written", file=sys.stderr)
        return 2
    except OSError as error:  # no permission, a full disk: each file is whole or unchanged
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}")
    if args.check and stale:
        print("Run `make exercises` to regenerate them from solutions/.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

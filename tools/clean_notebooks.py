"""Normalise notebooks for git: no outputs, no execution counts, one kernel, no editor noise.

Usage: python tools/clean_notebooks.py [NOTEBOOK ...]

Default: every chapter and solution (the exercises are generated from the solutions).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
KEPT_CELL_METADATA = ("tags", "mystnb")


def clean(notebook) -> None:
    notebook.metadata = nbformat.from_dict({
        "kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
    for cell in notebook.cells:
        cell.metadata = nbformat.from_dict(
            {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA})
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    # nbformat 4.5 wants cell ids; stable ones keep diffs quiet.
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"


def main(paths: list[str]) -> int:
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        print(__doc__.strip(), f"\n\nnot a notebook file: {', '.join(missing)}", file=sys.stderr)
        return 2
    targets = [Path(p) for p in paths] or sorted(
        p for d in ("chapters", "solutions") for p in (ROOT / d).glob("*.ipynb"))
    notebooks, problems = {}, []
    for path in targets:  # read them all first: nothing is written if one is not a notebook
        try:
            notebooks[path] = read_notebook(path)
        except ValueError as error:
            problems.append(f"{path}: {error}")
    if problems:
        print("\n".join(problems), "\nNothing was changed.", file=sys.stderr)
        return 2
    for path, notebook in notebooks.items():
        clean(notebook)
        nbformat.write(notebook, path)
    return 0


def read_notebook(path: Path):
    """The notebook at ``path``; ValueError saying why if the file is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError("not valid JSON (not even UTF-8 text)") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(content, dict) or not {"cells", "metadata", "nbformat"} <= set(content):
        raise ValueError("not a notebook (a JSON object with cells, metadata and nbformat)")
    try:
        notebook = nbformat.reads(text, as_version=4)  # clean() then normalises it
    except (nbformat.reader.NotJSONError, nbformat.reader.NBFormatError, KeyError,
            TypeError, ValueError) as error:
        raise ValueError(f"not a valid notebook ({str(error).splitlines()[0]})") from None
    return notebook


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Normalise notebooks for git: no outputs, no execution counts, one kernel, no editor noise.

Usage: python tools/clean_notebooks.py [NOTEBOOK ...]

Default: every chapter and solution (the exercises are generated from the solutions).
"""

from __future__ import annotations

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
    for path in targets:
        notebook = nbformat.read(path, as_version=4)
        clean(notebook)
        nbformat.write(notebook, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

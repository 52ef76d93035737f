"""Normalise the MyST notebook sources for git: one kernel, no editor metadata.

Usage: python tools/clean_notebooks.py [--check] [NOTEBOOK.md ...]

Default: every chapter and solution (the exercises are generated from the solutions).
A MyST source holds no outputs and no cell ids, so nothing is ever renumbered; this tool
drops what an editor adds (JupyterLab's cell metadata, language_info, a second kernel)
and writes the one canonical text form, the one ``tools/notebook_files.py`` writes.
With ``--check`` it changes nothing and lists the files that are not in that form.
"""

from __future__ import annotations

import sys
from pathlib import Path

import notebook_files

ROOT = notebook_files.ROOT
KEPT_CELL_METADATA = ("tags", "mystnb")
DEFAULT_FOLDERS = ("chapters", "solutions")


def clean(notebook) -> None:
    """Keep only the cell metadata that the book and the tools read (tags, mystnb)."""
    for cell in notebook.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}


def cleaned_text(path: Path) -> str:
    notebook = notebook_files.read(path)
    clean(notebook)
    return notebook_files.source_text(notebook)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"]
    not_sources = [str(p) for p in paths if p.suffix != notebook_files.SOURCE_SUFFIX]
    if not_sources:
        print(__doc__.strip(), f"\n\nnot a MyST notebook source (.md): "
              f"{', '.join(not_sources)}", file=sys.stderr)
        return 2
    targets = paths or notebook_files.sources(DEFAULT_FOLDERS)
    texts, problems = {}, []
    for path in targets:  # read them all first: nothing is written if one is not a notebook
        try:
            texts[path] = cleaned_text(path)
        except notebook_files.NotebookFileError as error:
            problems.append(str(error))
    if problems:
        print("\n".join(problems), "\nNothing was changed.", file=sys.stderr)
        return 2
    changed = [p for p, text in texts.items() if p.read_text(encoding="utf-8") != text]
    if check:
        for path in changed:
            print(f"not clean: {path} (run python tools/clean_notebooks.py)", file=sys.stderr)
        return 1 if changed else 0
    for path in changed:
        path.write_text(texts[path], encoding="utf-8")
        print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

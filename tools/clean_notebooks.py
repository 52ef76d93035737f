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
    """The canonical text of the source ``path``; NotebookFileError if it is malformed."""
    notebook = notebook_files.read(path)
    if not notebook.cells:  # an empty or cut-short file: there is nothing to clean
        raise notebook_files.NotebookFileError(f"{path}: no cells (an empty or cut-short "
                                               "notebook?)")
    clean(notebook)
    text = notebook_files.source_text(notebook)
    _check_reads_back(text, notebook, path)
    return text


def _check_reads_back(text: str, notebook, path: Path) -> None:
    """Refuse to write a text that would not read back as the same cells."""
    try:
        again = notebook_files.reads(text, path).cells
    except notebook_files.NotebookFileError as error:
        raise notebook_files.NotebookFileError(
            f"{path}: its cleaned form would not be a notebook ({error})") from None
    expected = [_cell_content(cell) for cell in notebook.cells]
    found = [_cell_content(cell) for cell in again]
    if found != expected:
        index = next((i for i, pair in enumerate(zip(found, expected, strict=False))
                      if pair[0] != pair[1]), min(len(found), len(expected)))
        raise notebook_files.NotebookFileError(
            f"{path}: its cleaned form would read back differently from cell {index} on "
            "(fix that cell by hand)")


def _cell_content(cell) -> tuple:
    return cell.cell_type, cell.source, cell.metadata


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
        print("\n".join(problems + ["Nothing was changed."]), file=sys.stderr)
        return 2
    changed = [p for p, text in texts.items() if p.read_bytes() != text.encode("utf-8")]
    if check:
        for path in changed:
            print(f"not clean: {path} (run python tools/clean_notebooks.py)", file=sys.stderr)
        return 1 if changed else 0
    for path in changed:
        try:
            notebook_files.write_text(path, texts[path])  # atomic: whole or not at all
        except OSError as error:
            print(f"{path}: cannot write ({error.strerror})", file=sys.stderr)
            return 2
        print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

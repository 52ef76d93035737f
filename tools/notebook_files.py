"""The one place that reads and writes the course's notebook files.

The sources in ``chapters/``, ``solutions/`` and (generated) ``exercises/`` are MyST
Markdown notebooks: text files with a jupytext header and ``{code-cell}`` blocks, which
the book (myst-nb) reads directly and a reviewer reads as a plain diff. Tools that need
the Jupyter format (nbval, papermill, the learner notebooks) convert them with ``read``
and ``write_ipynb``; every file is UTF-8 whatever the locale, and is written whole or
not at all (``write_text``).

A MyST notebook stores no cell ids. The Jupyter copies made from it number their cells by
position (``cell-000``, ...): they are generated, never committed, so nothing that is
committed is ever renumbered.

Usage: ``python tools/notebook_files.py ipynb OUT_DIR [SOURCE ...]`` writes the Jupyter
copy of each source (default: every chapter, solution and exercise) to
``OUT_DIR/<folder>/<name>.ipynb``; ``make test`` runs nbval on those copies.
"""

from __future__ import annotations

import argparse
import os
import secrets
import stat
import sys
from pathlib import Path

import jupytext
import jupytext.myst
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("chapters", "solutions", "exercises")
SOURCE_SUFFIX = ".md"
SOURCE_FORMAT = "md:myst"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class NotebookFileError(ValueError):
    """A file that should be a notebook is not one (the message says why and where)."""


def sources(folders=SOURCE_DIRS, root: Path = ROOT) -> list[Path]:
    """Every notebook source in ``folders`` (relative to ``root``), sorted."""
    return sorted(p for d in folders for p in (Path(root) / d).glob("*" + SOURCE_SUFFIX))


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook in ``path`` (MyST Markdown or ``.ipynb``), cells numbered by position."""
    path = Path(path)
    try:  # utf-8-sig: a byte order mark (Windows Notepad writes one) is no part of the text
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotebookFileError(f"{path}: no such file") from None
    except OSError as error:  # a folder, no permission ...
        raise NotebookFileError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise NotebookFileError(f"{path}: not UTF-8 text ({error.reason} at byte "
                                f"{error.start})") from None
    return reads(text, path)


def reads(text: str, path: Path) -> nbformat.NotebookNode:
    """The notebook in ``text``, read in the format that ``path``'s suffix names."""
    path = Path(path)
    try:
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
        elif path.suffix == SOURCE_SUFFIX:
            _check_myst_structure(text, path)
            notebook = jupytext.reads(text, fmt=SOURCE_FORMAT)
        else:
            raise NotebookFileError(f"{path}: not a notebook (.md or .ipynb)")
    except NotebookFileError:
        raise
    except nbformat.ValidationError as error:  # say which field: "metadata.tags: ..."
        where = ".".join(map(str, error.absolute_path))
        raise NotebookFileError(f"{path}: not a valid notebook ({where + ': ' if where else ''}"
                                f"{error.message})") from None
    except Exception as error:  # nbformat and jupytext raise many kinds; all mean "not one"
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        raise NotebookFileError(f"{path}: not a valid notebook ({first_line})") from None
    number_cells(notebook)
    return notebook


def _check_myst_structure(text: str, path: Path) -> None:
    """Refuse what jupytext would read without a word but wrongly.

    An unclosed front matter becomes a Markdown cell, and an unclosed fence swallows the
    rest of the file into one cell: cleaning or converting such a file would write the
    damage back as if it were the notebook. Header values of the wrong type would fail
    later with a message that names neither the file nor the field.
    """
    if not text.startswith("---\n"):
        raise NotebookFileError(f"{path}: not a MyST notebook (no jupytext header)")
    tokens = jupytext.myst.get_parser().parse(text + "\n")
    if not tokens or tokens[0].type != "front_matter":
        raise NotebookFileError(f"{path}: the front matter (the header between --- lines) "
                                "is never closed")
    try:
        header = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError as error:
        first_line = (str(error).splitlines() or ["?"])[0]
        raise NotebookFileError(f"{path}: the front matter is not valid YAML "
                                f"({first_line})") from None
    if not isinstance(header, dict) or "jupytext" not in header:
        raise NotebookFileError(f"{path}: not a MyST notebook (no jupytext header)")
    for key in ("jupytext", "kernelspec"):
        if key in header and not isinstance(header[key], dict):
            raise NotebookFileError(f"{path}: the front matter's {key} is not a mapping "
                                    f"(got {header[key]!r})")
    lines = text.split("\n")
    for token in tokens:
        if token.type == "fence" and not _closes(token, lines):
            raise NotebookFileError(f"{path}: line {token.map[0] + 1}: the fence "
                                    f"{token.markup}{token.info.strip()} is never closed")


def _closes(fence, lines: list[str]) -> bool:
    """Whether the last line of a fence token is its closing fence (CommonMark's rule)."""
    start, end = fence.map
    last = lines[end - 1].strip() if start < end - 1 < len(lines) else ""
    return len(last) >= len(fence.markup) and set(last) == {fence.markup[0]}


def number_cells(notebook) -> None:
    """Give the cells position ids (``cell-000``, ...), as a generated copy needs."""
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"


def source_text(notebook) -> str:
    """``notebook`` as the text of a MyST Markdown source (what ``write_source`` writes)."""
    notebook = nbformat.from_dict(notebook)
    notebook.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, **{
        k: v for k, v in notebook.metadata.items() if k == "jupytext"}})
    for cell in notebook.cells:
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    text = jupytext.writes(notebook, fmt=SOURCE_FORMAT)
    return text if text.endswith("\n") else text + "\n"


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, whole or not at all.

    The text goes to a temporary file beside ``path`` that then replaces it in one step,
    so a process killed half-way, or a full disk, never leaves a truncated or empty
    notebook behind: ``path`` holds either its old content or the new one. An existing
    file keeps its permissions, and a link keeps pointing where it did (its target is
    written).
    """
    path = Path(path).resolve() if Path(path).is_symlink() else Path(path)
    data = text.encode("utf-8")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as handle:  # "x": never reuse someone else's file
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename, even if the power fails
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:  # KeyboardInterrupt too: no temporary file is left behind
        temporary.unlink(missing_ok=True)
        raise


def write_source(notebook, path: Path) -> None:
    """Write ``notebook`` as a MyST Markdown source (UTF-8, atomically)."""
    write_text(path, source_text(notebook))


def ipynb_text(notebook) -> str:
    """``notebook`` serialised as Jupyter saves it."""
    text = nbformat.writes(nbformat.from_dict(notebook))
    return text if text.endswith("\n") else text + "\n"


def write_ipynb(notebook, path: Path) -> None:
    """Write ``notebook`` as ``.ipynb`` (UTF-8, atomically), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, ipynb_text(notebook))


def convert_to_ipynb(source: Path, out_dir: Path, root: Path = ROOT) -> Path:
    """Write the Jupyter copy of ``source`` under ``out_dir``, mirroring its folder."""
    source = Path(source).resolve()
    target = Path(out_dir) / source.relative_to(Path(root).resolve()).with_suffix(".ipynb")
    write_ipynb(read(source), target)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    convert = commands.add_parser("ipynb", help="write the Jupyter copies of the sources")
    convert.add_argument("out_dir", type=Path)
    convert.add_argument("sources", nargs="*", type=Path)
    args = parser.parse_args(argv)
    out_dir = args.out_dir.resolve()
    if out_dir == ROOT or ROOT.is_relative_to(out_dir) or any(
            out_dir.is_relative_to(ROOT / d) for d in SOURCE_DIRS):
        print(f"refusing to write Jupyter copies into {out_dir}: it holds the sources; "
              "name a folder under _build/", file=sys.stderr)
        return 2
    try:
        for source in args.sources or sources():
            convert_to_ipynb(source, out_dir)
    except (NotebookFileError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

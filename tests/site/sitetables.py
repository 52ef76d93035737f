"""What tables a page of the book should show, counted in the notebook the book executed."""

from __future__ import annotations

import re
import sys

import nbformat
from markdown_it import MarkdownIt
from sitebook import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import notebook_files  # noqa: E402

EXECUTED = ROOT / "_build" / "jupyter_execute"
BOOK_CACHE = ROOT / "_build" / ".jupyter_cache"
_GFM = MarkdownIt("commonmark").enable("table")
_HIDDEN = {"remove-output", "remove-cell"}


def executed_notebook(docname: str):
    """The notebook with the outputs the book rendered (the source, if it has none).

    The outputs come from the book's execution cache, which the book renders from. (The
    copy myst-nb writes to ``_build/jupyter_execute`` has them only when the build itself
    executed the notebook: on a cache hit, myst-nb 1.4 writes the notebook it read.)
    """
    source = notebook_files.read(ROOT / f"{docname}.md")
    if BOOK_CACHE.is_dir():
        from jupyter_cache import get_cache

        try:
            _, merged = get_cache(str(BOOK_CACHE)).merge_match_into_notebook(source)
            return merged
        except KeyError:  # not in the cache (an exercise, or the source changed)
            pass
    executed = EXECUTED / f"{docname}.ipynb"
    return nbformat.read(executed, as_version=4) if executed.is_file() else source


def markdown_tables(text: str) -> int:
    return _GFM.render(text).count("<table")


def expected_tables(docname: str) -> int:
    """Markdown tables in Markdown cells and outputs, and HTML tables in outputs."""
    count = 0
    for cell in executed_notebook(docname).cells:
        tags = set(cell.metadata.get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            count += markdown_tables(cell.source)
        if cell.cell_type != "code" or tags & _HIDDEN:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:  # myst-nb and JupyterLab prefer HTML to Markdown
                count += len(re.findall(r"<table\b", data["text/html"]))
            elif "text/markdown" in data:
                count += markdown_tables(data["text/markdown"])
    return count

"""Showing results in a notebook."""

from __future__ import annotations

from IPython.display import Markdown, display


def show_table(header, rows) -> None:
    """Display ``rows`` (lists of cells, any values) under ``header`` as a Markdown table.

    Markdown rather than a DataFrame: the table renders the same in JupyterLab and on the
    website, and reads well for screen readers.
    """
    lines = ["| " + " | ".join(str(cell) for cell in header) + " |",
             "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))

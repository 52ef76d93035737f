"""rnncourse.display: tables shown as Markdown."""

from __future__ import annotations

from unittest import mock

from rnncourse import display


def test_show_table_renders_header_separator_and_rows():
    with mock.patch.object(display, "display") as shown:
        display.show_table(["layer", "parameters"], [["lstm", f"{33024:,}"], ["dense", 65]])
    markdown = shown.call_args.args[0].data
    assert markdown.splitlines() == ["| layer | parameters |", "| --- | --- |",
                                     "| lstm | 33,024 |", "| dense | 65 |"]

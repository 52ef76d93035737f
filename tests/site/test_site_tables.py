"""Every table a notebook shows is an HTML table on the site, never a paragraph of pipes.

``rnncourse.display.show_table`` displays a Markdown table (``text/markdown``). myst-nb
renders such outputs with the parser named by ``nb_render_markdown_format``; its default,
``commonmark``, has no tables, and the site showed "| model | test accuracy | ... |" as
one paragraph. The expected number of tables of each page is counted in the notebook the
book executed (``_build/jupyter_execute``): Markdown tables in its Markdown cells and in
its outputs, and HTML tables in its outputs.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sitebook import ROOT, html_path, toc_documents
from sitetables import expected_tables

DOCUMENTS = toc_documents()
NOTEBOOK_PAGES = [d for d in DOCUMENTS if (ROOT / f"{d}.md").is_file()
                  and (ROOT / d).parent.name in ("chapters", "solutions", "exercises")]
# Chapters whose results are tables (show_table): a build without them is a broken build.
CHAPTERS_WITH_TABLES = ["chapters/ch03_lstm", "chapters/ch04_gru",
                        "chapters/ch06_imdb_sentiment"]


def _article(docname: str):
    soup = BeautifulSoup(html_path(docname).read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("article") or soup


def _pipe_paragraphs(article) -> list[str]:
    found = []
    for p in article.find_all("p"):
        content = " ".join(p.get_text(" ").split())
        if content.startswith("|") or re.search(r"\|\s*-{3,}\s*\|", content):
            found.append(content[:120])
    return found


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_no_table_is_printed_as_text(site, docname):
    pipes = _pipe_paragraphs(_article(docname))
    assert not pipes, (f"{docname}: {len(pipes)} table(s) rendered as a paragraph of pipes "
                       f"(is nb_render_markdown_format gfm in _config.yml?): {pipes[:3]}")


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_every_table_of_the_notebook_is_an_html_table(site, docname):
    expected = expected_tables(docname)
    tables = _article(docname).find_all("table")
    assert len(tables) == expected, (
        f"{docname}: the executed notebook shows {expected} table(s), the page has "
        f"{len(tables)} <table> element(s)")
    for table in tables:
        assert table.find("th"), f"{docname}: a table without header cells: {table!s:.200}"


def test_result_tables_are_counted(site):
    """The chapters that report results in tables have them (so the test above can fail)."""
    counts = {docname: expected_tables(docname) for docname in CHAPTERS_WITH_TABLES
              if docname in DOCUMENTS}
    assert counts and all(counts.values()), (
        f"no tables found in the executed chapters: {counts} (is _build/jupyter_execute "
        "from this build?)")

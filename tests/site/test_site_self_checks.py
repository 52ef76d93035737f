"""Every chapter asks at least three self-check questions, answers hidden until opened.

A self-check question is a Markdown cell with "**Check your understanding.**" and a plain
HTML ``<details>`` block whose ``<summary>`` opens the answer (CONTRIBUTING, issue 15).
On the site each must be a real, closed ``<details>`` element (not its tags printed as
text; not a code-cell toggle or dropdown, which are ``<details class=...>``), and opening
it in the browser must show the answer.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sitebook import chapters, html_path

CHAPTERS = chapters()
MINIMUM = 3


def self_checks(docname: str) -> list:
    soup = BeautifulSoup(html_path(docname).read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    # Plain HTML from a Markdown cell has no class; myst-nb's code toggles and dropdown
    # admonitions are <details class="...">.
    return [d for d in article.find_all("details") if not d.get("class") and d.find("summary")]


@pytest.mark.skipif(not CHAPTERS, reason="no chapter in _toc.yml yet")
@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_has_closed_self_check_questions(site, docname):
    html = html_path(docname).read_text(encoding="utf-8")
    assert "&lt;details&gt;" not in html and "&lt;summary&gt;" not in html, (
        f"{docname}: a <details> block is printed as text")
    blocks = self_checks(docname)
    assert len(blocks) >= MINIMUM, (
        f"{docname}: {len(blocks)} collapsible self-check answer(s), at least {MINIMUM} "
        "expected (a **Check your understanding.** cell with <details><summary>Answer"
        "</summary> ... </details>)")
    for block in blocks:
        summary = " ".join(block.find("summary").get_text(" ").split())
        answer = " ".join(block.get_text(" ").split())[len(summary):].strip()
        assert "open" not in block.attrs, f"{docname}: the answer {summary!r} starts open"
        assert summary and answer, f"{docname}: a <details> block without summary or answer"


@pytest.mark.skipif(not CHAPTERS, reason="no chapter in _toc.yml yet")
@pytest.mark.parametrize("docname", CHAPTERS)
def test_self_check_answers_open_in_the_browser(reader, docname):
    if len(self_checks(docname)) < MINIMUM:
        pytest.skip(f"{docname} has fewer than {MINIMUM} self-check blocks (see the test above)")
    reader.show(docname)
    page = reader.page
    blocks = page.locator("article details:not([class])")
    first = blocks.first
    answer = first.locator(":scope > :not(summary)").first
    first.scroll_into_view_if_needed()
    assert not first.evaluate("d => d.open") and not answer.is_visible()
    first.locator("summary").first.click()
    assert first.evaluate("d => d.open") and answer.is_visible(), (
        f"{docname}: clicking the first self-check's summary does not show its answer")
    first.locator("summary").first.click()  # leave the page as it was for other tests

"""Every page of the book, opened in headless Chromium as a reader opens it.

Per page: it loads (HTTP 200) without console errors or failed requests, its title and
headings render, every image loads, and (chapters) its equations are typeset. Across
pages: the sidebar reaches every page of the table of contents, each chapter leads to
its exercise and solution, and the search page finds each chapter by a word of its title.
A screenshot of each page lands in ``_build/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sitebook import chapters, docname_of, toc_documents

DOCUMENTS = toc_documents()
CHAPTERS = chapters()
WITH_EQUATIONS = [d for d in DOCUMENTS if d.startswith("chapters/") or d == "glossary"]
needs_chapters = pytest.mark.skipif(not CHAPTERS, reason="no chapter in _toc.yml yet")
STOPWORDS = {"chapter", "the", "and", "with", "from", "into", "what", "your", "when"}


def _heading(text: str) -> str:
    """A heading's text without the "#" permalink Sphinx appends."""
    return re.sub(r"\s*#\s*$", "", text).strip()


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_page_renders(reader, docname):
    visit = reader.visit(docname)
    assert visit.status == 200, f"{docname}.html answered HTTP {visit.status}"
    assert not visit.console_errors, f"console errors on {docname}: {visit.console_errors}"
    assert not visit.failed_requests, f"failed requests on {docname}: {visit.failed_requests}"
    assert len(visit.h1) == 1, f"{docname} should show exactly one <h1>, shows {visit.h1}"
    heading = _heading(visit.h1[0])
    assert heading, f"{docname} has an empty <h1>"
    assert visit.title.startswith(heading), (
        f"the window title {visit.title!r} of {docname} does not start with its heading "
        f"{heading!r}")
    assert visit.screenshot and visit.screenshot.stat().st_size > 0


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_images_load(reader, docname):
    visit = reader.visit(docname)
    broken = [image["src"] for image in visit.images
              if not image["complete"] or image["naturalWidth"] == 0]
    assert not broken, f"images that did not load on {docname}: {broken}"


@pytest.mark.parametrize("docname", WITH_EQUATIONS)
def test_equations_are_typeset(reader, docname):
    """Every TeX span of the page became MathJax output (no raw \\( ... \\) left)."""
    visit = reader.visit(docname)
    if not visit.equations:
        pytest.skip(f"{docname} has no equations")
    assert not visit.raw_equations, (
        f"{len(visit.raw_equations)} of {visit.equations} equations on {docname} were left "
        f"as raw TeX: {visit.raw_equations[:5]}")


def test_sidebar_reaches_every_page(reader):
    """From the home page, the sidebar shows a link to every page, and the links work."""
    root, *others = DOCUMENTS
    reader.show(root)
    page = reader.page
    links = page.locator("nav.bd-docs-nav a.reference")
    targets = {}
    for index in range(links.count()):
        link = links.nth(index)
        target = docname_of(link.evaluate("a => a.href"), reader.base_url)
        if target and link.is_visible():
            targets.setdefault(target, link)
    missing = [d for d in others if d not in targets]
    assert not missing, f"pages of _toc.yml with no visible link in the sidebar: {missing}"
    # A reader clicking through the chapters in the sidebar, from the home page on.
    sidebar = page.locator("nav.bd-docs-nav a")
    for docname in CHAPTERS:
        index = page.evaluate(
            "url => [...document.querySelectorAll('nav.bd-docs-nav a')]"
            ".findIndex(a => a.href === url)", reader.base_url + docname + ".html")
        assert index >= 0, f"no sidebar link to {docname} on {page.url}"
        sidebar.nth(index).click()
        page.wait_for_url(re.compile(re.escape(docname) + r"\.html"))
        assert page.locator("article h1").count() == 1


@needs_chapters
@pytest.mark.parametrize("docname", CHAPTERS)
def test_exercise_and_solution_reachable(reader, docname):
    """Each chapter has an exercise and a solution page, and links to its exercise."""
    stem = Path(docname).name
    exercise, solution = f"exercises/{stem}", f"solutions/{stem}"
    assert exercise in DOCUMENTS, f"{exercise} is missing from _toc.yml"
    assert solution in DOCUMENTS, f"{solution} is missing from _toc.yml"
    reader.show(docname)
    page = reader.page
    link = page.locator(f"article a[href$='exercises/{stem}.html']")
    assert link.count() > 0, f"{docname} has no link to its exercise ({exercise})"
    link.last.click()
    page.wait_for_url(re.compile(re.escape(exercise) + r"\.html"))
    heading = _heading(page.locator("article h1").inner_text())
    assert heading.startswith("Exercise"), f"{exercise} is titled {heading!r}"
    heading = _heading(reader.visit(solution).h1[0])
    assert heading.startswith("Solution"), f"{solution} is titled {heading!r}"


def search(reader, word: str) -> list[str]:
    """The documents the site's search page lists for ``word``."""
    page = reader.page
    reader.goto(f"{reader.base_url}search.html?q={quote(word)}")
    page.wait_for_function(
        "() => /found|did not match/i.test("
        "document.querySelector('#search-results .search-summary')?.textContent || '')",
        timeout=15_000)
    hrefs = page.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.href)")
    return [d for d in (docname_of(h, reader.base_url) for h in hrefs) if d]


def _title_word(reader, docname: str) -> str:
    """The longest word of the chapter's title (e.g. "recurrent")."""
    heading = _heading(reader.visit(docname).h1[0])
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", heading) if w.lower() not in STOPWORDS]
    return max(words, key=len)


@needs_chapters
@pytest.mark.parametrize("docname", CHAPTERS)
def test_search_finds_chapter(reader, docname):
    word = _title_word(reader, docname)
    found = search(reader, word)
    assert docname in found, f"searching for {word!r} lists {found}, not {docname}"


def test_search_finds_glossary(reader):
    if "glossary" not in DOCUMENTS:
        pytest.skip("no glossary in _toc.yml")
    found = search(reader, "spectral")
    assert "glossary" in found, f"searching for 'spectral' lists {found}, not the glossary"

"""The reading aids of the built book, checked in its HTML.

- Every chapter opens, before its first section, with the same box: learning objectives,
  prerequisites and a time estimate.
- The glossary defines the course's terms; the references page lists every entry of
  references.bib; the "how to use" page gives the commands and the publishing steps.
- Every page of ``_toc.yml`` was built.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sitebook import ROOT, chapters, html_path, toc_documents

DOCUMENTS = toc_documents()
CHAPTERS = chapters()
TIME_ESTIMATE = re.compile(r"\b\d+\s*(?:[–-]\s*\d+\s*)?(?:min(?:ute)?s?|h(?:ours?)?)\b",
                           re.IGNORECASE)
GLOSSARY_TERMS = [
    "hidden state", "backpropagation through time", "BPTT", "gate", "cell state",
    "forget gate", "input gate", "output gate", "update gate", "reset gate", "padding",
    "masking", "unrolling", "vanishing gradient", "exploding gradient", "gradient clipping",
    "embedding", "vocabulary", "out-of-vocabulary", "OOV", "tf-idf", "spectral radius",
    "LSTM", "GRU", "recurrent neural network",
]


def page(docname: str) -> BeautifulSoup:
    return BeautifulSoup(html_path(docname).read_text(encoding="utf-8"), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_toc_page_is_built(site, docname):
    assert html_path(docname).is_file(), f"{docname} is in _toc.yml but was not built"


@pytest.mark.skipif(not CHAPTERS, reason="no chapter in _toc.yml yet")
@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_opens_with_objectives_prerequisites_and_time(site, docname):
    article = page(docname).select_one("article")
    top = article.find("section")
    assert top is not None and top.find("h1"), f"{docname} has no titled top section"
    first_subsection = top.find("section")
    boxes = top.select("div.admonition")
    box = next((b for b in boxes
                if re.search(r"objectives", text(b.select_one(".admonition-title") or b), re.I)),
               None)
    assert box is not None, (
        f"{docname}: no admonition titled 'Learning objectives' (it must open the chapter)")
    assert boxes[0] is box, f"{docname}: the learning-objectives box must be the first box"
    if first_subsection is not None:
        assert any(s is first_subsection for s in box.find_all_next("section")), (
            f"{docname}: the learning-objectives box must come before the first section")
    content = text(box)
    assert box.select("li"), f"{docname}: the objectives are not a list: {content!r}"
    assert re.search(r"prerequisite", content, re.I), (
        f"{docname}: the box names no prerequisites: {content!r}")
    assert TIME_ESTIMATE.search(content), (
        f"{docname}: the box gives no time estimate (e.g. 'about 45 minutes'): {content!r}")


@pytest.mark.skipif("glossary" not in DOCUMENTS, reason="no glossary in _toc.yml")
def test_glossary_defines_the_course_terms(site):
    glossary = page("glossary")
    defined = {" ".join(dt.get_text(" ").replace("#", " ").split()).lower()
               for dt in glossary.select("dl.glossary dt")}
    missing = [term for term in GLOSSARY_TERMS if term.lower() not in defined]
    assert not missing, f"glossary terms missing: {missing} (defined: {sorted(defined)})"
    for dt in glossary.select("dl.glossary dt"):
        assert dt.get("id", "").startswith("term-"), f"glossary term without anchor: {dt}"


def bib_entries() -> dict[str, str]:
    """Key -> first author's surname, from references.bib."""
    source = (ROOT / "references.bib").read_text(encoding="utf-8")
    entries = {}
    for match in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", source, re.S):
        author = re.search(r"author\s*=\s*\{([^,}]+)", match.group(2))
        entries[match.group(1)] = re.sub(r"[{}\\\"']", "", author.group(1)).split()[-1]
    return entries


@pytest.mark.skipif("references" not in DOCUMENTS, reason="no references page in _toc.yml")
def test_references_list_every_bib_entry(site):
    entries = bib_entries()
    assert {"elman1990", "bengio1994", "hochreiter1997", "cho2014", "pascanu2013",
            "maas2011"} <= set(entries)
    references = page("references")
    listed = references.select("main .citation, main dl.citation > dt, main div.citation")
    content = text(references.select_one("main"))
    missing = [key for key, surname in entries.items() if surname not in content]
    assert not missing, f"references.bib entries not on the references page: {missing}"
    assert listed, "the references page renders no bibliography"


@pytest.mark.skipif("how-to-use" not in DOCUMENTS, reason="no how-to-use page in _toc.yml")
def test_how_to_use_gives_commands_and_publishing_steps(site):
    content = text(page("how-to-use").select_one("main"))
    for needed in ("make book", "make test", "make lab", "python tools/set_repository_url.py",
                   "GitHub Actions", "Fork", "Settings → Pages", "exercises"):
        assert needed in content, f"the how-to-use page does not mention {needed!r}"

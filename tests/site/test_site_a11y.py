"""Accessibility of every page of the book: axe-core in the browser, and figure alt text.

axe-core (pinned in package.json, installed by ``npm ci``) runs on each page as a reader's
browser renders it, equations typeset; a page passes when axe finds no violation of
"serious" or "critical" impact. Violations of lower impact are printed, not failed.

Every image of every page must carry alt text that describes it: not empty, not a file
name, not a placeholder such as "figure 1" or "image".
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from sitebook import SITE, chapters, html_path, toc_documents
from sitebrowser import Reader

DOCUMENTS = toc_documents()
FAILING_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {"resultTypes": ["violations"]}
# Known violations of the theme that we cannot fix from the book's sources, as
# (rule id, CSS selector of the element): each is excluded for that element only.
THEME_EXCEPTIONS: set[tuple[str, str]] = set()
GENERIC_ALT = re.compile(
    r"^(an? )?(figure|fig\.?|image|img|picture|plot|graph|chart|output|png|svg|"
    r"untitled|alt|placeholder)( \d+)?\.?$", re.IGNORECASE)
FILE_NAME = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)
MIN_ALT_WORDS = 3


def _violations(result: dict) -> list[str]:
    found = []
    for violation in result["violations"]:
        nodes = [node for node in violation["nodes"]
                 if (violation["id"], " ".join(map(str, node["target"]))) not in THEME_EXCEPTIONS]
        if nodes and violation["impact"] in FAILING_IMPACTS:
            targets = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:5])
            found.append(f"{violation['id']} ({violation['impact']}, {len(nodes)} element"
                         f"{'s' * (len(nodes) != 1)}): {violation['help']} -> {targets}")
    return found


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_no_serious_accessibility_violations(reader, axe_source, docname):
    result = reader.axe(docname, axe_source, AXE_OPTIONS)
    minor = [f"{v['id']} ({v['impact']})" for v in result["violations"]
             if v["impact"] not in FAILING_IMPACTS]
    if minor:
        print(f"{docname}: minor axe findings (not failed): {', '.join(minor)}")
    serious = _violations(result)
    assert not serious, f"axe-core on {docname}:\n" + "\n".join(serious)


def alt_text_problem(alt: str | None) -> str | None:
    """Why an image's alt text does not describe it, or None when it is fine."""
    if alt is None:
        return "no alt attribute"
    alt = alt.strip()
    if not alt:
        return "empty alt text"
    if FILE_NAME.search(alt) or alt.startswith(("_images/", "../_images/")):
        return f"alt text is a file name ({alt!r})"
    if GENERIC_ALT.match(alt):
        return f"alt text is a placeholder ({alt!r})"
    if len(alt.split()) < MIN_ALT_WORDS:
        return f"alt text too short to describe a figure ({alt!r})"
    return None


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_images_have_alt_text(site, docname):
    """Figures in the text are described; the theme's images (logos) have some alt text."""
    soup = BeautifulSoup(html_path(docname).read_text(encoding="utf-8"), "html.parser")
    problems = []
    for image in soup.select("article img"):
        problem = alt_text_problem(image.get("alt"))
        if problem:
            problems.append(f"{image.get('src')}: {problem}")
    for image in soup.select("img"):
        if image.find_parent("article") is None and not (image.get("alt") or "").strip():
            problems.append(f"{image.get('src')}: theme image without alt text")
    assert not problems, (
        f"images on {docname} without a real description (for a figure, set the cell "
        f"metadata mystnb.image.alt):\n" + "\n".join(problems))


@pytest.mark.parametrize("docname", DOCUMENTS)
def test_figures_are_opaque(site, docname):
    """A figure with a transparent background loses its black text on the dark theme."""
    soup = BeautifulSoup(html_path(docname).read_text(encoding="utf-8"), "html.parser")
    transparent = []
    for image in soup.select("article img"):
        path = (html_path(docname).parent / image.get("src", "")).resolve()
        if path.suffix.lower() != ".png" or not path.is_relative_to(SITE) or not path.is_file():
            continue
        with Image.open(path) as png:
            if "A" in png.getbands() and png.getchannel("A").getextrema()[0] < 255:
                transparent.append(image["src"])
    assert not transparent, (
        f"figures on {docname} with a transparent background (draw them on white, e.g. "
        f"savefig facecolor): {transparent}")


def test_dark_theme_accessibility(browser, base_url, axe_source):
    """The site follows the reader's dark system setting; check one chapter there too."""
    docname = (chapters() or DOCUMENTS)[0]
    reader = Reader(browser, base_url, color_scheme="dark")
    try:
        result = reader.axe(docname, axe_source, AXE_OPTIONS)
        assert reader.page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    finally:
        reader.close()
    serious = _violations(result)
    assert not serious, f"axe-core on {docname}, dark theme:\n" + "\n".join(serious)


@pytest.mark.parametrize("alt, fine", [
    ("Training loss falls from 0.7 to 0.3 over 20 epochs.", True),
    (None, False), ("", False), ("   ", False), ("figure 1", False), ("Image", False),
    ("../_images/3f2a.png", False), ("loss.png", False), ("A plot", False),
])
def test_alt_text_rule(alt, fine):
    assert (alt_text_problem(alt) is None) == fine

"""The launch buttons (Colab, Binder) open the learner notebooks, pinned to their commit.

Every notebook page has a Colab and a Binder button. They must open the learner copy of
that page's notebook (tools/learner_notebooks.py) on the branch the Pages workflow
publishes, not the source with its MyST markup. The learner notebooks generated from this
build must have every such path, read cleanly in CommonMark (markdown-it-py), install the
helper pinned to a commit, quote the book's numbers and link to anchors that exist in the
built glossary.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from sitebook import ROOT, html_path, toc_documents

sys.path.insert(0, str(ROOT / "tools"))
import learner_notebooks as learner  # noqa: E402
import set_repository_url  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
LAUNCH = CONFIG["launch_buttons"]
OWNER, REPO = CONFIG["repository"]["url"].rstrip("/").split("/")[-2:]
BRANCH = CONFIG["repository"]["branch"]
NOTEBOOK_PAGES = [d for d in toc_documents()
                  if ROOT / f"{d}.md" in learner.notebook_files.sources()]
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def launch_links(docname: str) -> dict[str, str]:
    soup = BeautifulSoup(html_path(docname).read_text(encoding="utf-8"), "html.parser")
    links = {}
    for a in soup.select("a[href]"):
        host = urlsplit(a["href"]).netloc
        for name in ("colab_url", "binderhub_url"):
            if host and host == urlsplit(LAUNCH[name]).netloc:
                links[name] = a["href"]
    return links


def test_launch_buttons_open_the_published_learner_branch():
    assert BRANCH == "learner-notebooks", (
        f"repository.branch is {BRANCH!r}: the launch buttons would open the sources")
    workflow = WORKFLOW.read_text(encoding="utf-8")
    assert "tools/learner_notebooks.py" in workflow or "make learner" in workflow, (
        "the Pages workflow does not generate the learner notebooks")
    assert re.search(rf"\b{re.escape(BRANCH)}\b", workflow), (
        f"the Pages workflow does not publish the branch {BRANCH}")


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_launch_buttons_point_to_the_learner_notebook(site, learner_notebooks, docname):
    links = launch_links(docname)
    colab = LAUNCH["colab_url"].rstrip("/")
    binder = LAUNCH["binderhub_url"].rstrip("/")
    assert links.get("colab_url") == (
        f"{colab}/github/{OWNER}/{REPO}/blob/{BRANCH}/{docname}.ipynb"), links
    assert links.get("binderhub_url") == (
        f"{binder}/v2/gh/{OWNER}/{REPO}/{BRANCH}?urlpath=lab/tree/{docname}.ipynb"), links
    assert (learner_notebooks / f"{docname}.ipynb").is_file(), (
        f"the launch buttons of {docname} open a notebook the generator does not write")


def test_learner_notebooks_of_this_build(site, learner_notebooks):
    """Plain CommonMark, the book's values quoted, the helper pinned, Binder's files there."""
    commonmark = MarkdownIt("commonmark")
    glossary = BeautifulSoup(html_path("glossary").read_text(encoding="utf-8"), "html.parser")
    anchors = {tag["id"] for tag in glossary.select("[id]")}
    raw, pointers, missing_anchors = {}, [], set()
    for docname in NOTEBOOK_PAGES:
        notebook = nbformat.read(learner_notebooks / f"{docname}.ipynb", as_version=4)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "markdown":
                continue
            if hits := learner.raw_myst(commonmark.render(cell.source)):
                raw[f"{docname} cell {index}"] = hits
            if "see the book" in cell.source:
                pointers.append(f"{docname} cell {index}")
            missing_anchors |= set(re.findall(r"glossary\.html#([\w.-]+)", cell.source)) - anchors
    assert not raw, f"MyST left in the learner notebooks: {raw}"
    assert not pointers, f"numbers without the book's value (book values unread): {pointers}"
    assert not missing_anchors, f"glossary anchors not on the glossary page: {missing_anchors}"
    assert set_repository_url.unpinned_learner_notebooks(learner_notebooks) == []
    for name in learner.BINDER_FILES:
        assert (learner_notebooks / name).is_file(), f"Binder needs {name} on the branch"

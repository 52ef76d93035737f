"""Every notebook is listed in the book, committed clean, and follows the house layout."""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from notebooks import ROOT, all_notebooks, notebook_files

sys.path.insert(0, str(ROOT / "tools"))
import set_repository_url  # noqa: E402

NOTEBOOKS = all_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]
# Notebooks deliberately left out of the book: none so far.
NOT_IN_BOOK: set[str] = set()


def toc_files() -> set[str]:
    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                yield node["file"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return set(walk(toc)) | {toc["root"]}


def test_there_are_notebooks_in_every_folder():
    for folder in ("chapters", "exercises", "solutions"):
        assert notebook_files.sources([folder]), f"no notebooks in {folder}/"


def test_every_notebook_is_in_the_toc():
    listed = toc_files()
    missing = [i for i in IDS if i not in NOT_IN_BOOK
               and i.removesuffix(notebook_files.SOURCE_SUFFIX) not in listed]
    assert not missing, f"add these to _toc.yml (or to NOT_IN_BOOK with a reason): {missing}"


def test_every_toc_entry_exists():
    missing = [f for f in toc_files()
               if not any((ROOT / f"{f}{ext}").exists() for ext in (".ipynb", ".md"))]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_each_chapter_has_a_solution_and_an_exercise():
    names = {folder: {p.name for p in notebook_files.sources([folder])}
             for folder in ("chapters", "exercises", "solutions")}
    assert names["chapters"] == names["solutions"] == names["exercises"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_as_a_myst_source_with_the_course_kernel(path):
    text = path.read_text(encoding="utf-8")
    notebook = notebook_files.read(path)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    assert text == notebook_files.source_text(notebook), (
        "not in the canonical MyST form: run python tools/clean_notebooks.py")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_layout_title_setup_cell_then_parameters(path):
    notebook = notebook_files.read(path)
    assert notebook.cells[0].cell_type == "markdown"
    title = notebook.cells[0].source.splitlines()[0]
    expected = {"chapters": "# Chapter ", "solutions": "# Solution ",
                "exercises": "# Exercise "}[path.parent.name]
    assert title.startswith(expected), title
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code[0].source == set_repository_url.setup_cell_source(
        set_repository_url.configured_url()), "run python tools/set_repository_url.py URL"
    assert "parameters" in code[1].metadata.get("tags", []), "2nd code cell: parameters"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "chapters"],
                         ids=lambda p: p.stem)
def test_chapter_states_objectives_prerequisites_and_time(path):
    intro = notebook_files.read(path).cells[0].source
    for needed in ("Learning objectives", "Prerequisites", "Time"):
        assert needed in intro, f"{path.name}: the opening cell lacks {needed!r}"


# A self-check question (STYLE.md): the question in bold, then its answer in a plain HTML
# <details> block, which the site, JupyterLab and Colab all show collapsed.
SELF_CHECK = re.compile(r"^\*\*Check your understanding\.\*\* .+\n\n<details>\n"
                        r"<summary>Answer</summary>\n\n.+\n\n</details>$", re.DOTALL)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name == "chapters"],
                         ids=lambda p: p.stem)
def test_chapter_asks_three_self_check_questions_with_hidden_answers(path):
    questions = [cell.source for cell in notebook_files.read(path).cells
                 if cell.cell_type == "markdown" and "Check your understanding" in cell.source]
    assert len(questions) >= 3, f"{path.name} asks {len(questions)} self-check questions"
    for text in questions:
        assert SELF_CHECK.match(text) and text.count("<details>") == 1, (
            f"{path.name}: a self-check question not in the course's format: {text[:80]!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_cell_has_a_caption_and_alt_text(path):
    notebook = notebook_files.read(path)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "plt.show()" not in cell.source:
            continue
        mystnb = cell.metadata.get("mystnb", {})
        caption = mystnb.get("figure", {}).get("caption", "")
        alt = mystnb.get("image", {}).get("alt", "")
        assert len(caption) > 20, f"cell {index}: figure without a real caption"
        assert len(alt) > 20 and not alt.lower().startswith("figure"), (
            f"cell {index}: figure without descriptive alt text")

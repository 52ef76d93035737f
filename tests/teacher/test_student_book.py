"""The student build (tools/student_book.py) on a small book: no solution page, no link."""

from __future__ import annotations

import pytest
import student_book
import yaml
from teacherbook import book_config, build_book

TOC = {"format": "jb-book", "root": "intro", "parts": [
    {"caption": "Exercises", "chapters": [{"file": "exercises/ex1"}]},
    {"caption": "Solutions", "chapters": [{"file": "solutions/ex1"}]}]}
PAGES = {
    "intro.md": "# Intro\n\nEvery exercise has a check.\n\n"
                "```{only} solutions\nCompare with [the solution](solutions/ex1.md).\n```\n",
    "exercises/ex1.md": "# Exercise 1\n\nWrite the loop.\n",
    "solutions/ex1.md": "# Solution 1\n\nThe loop, written out.\n",
}


def test_the_toc_loses_the_solutions_and_their_empty_part():
    toc = student_book.student_toc(TOC)
    assert [part["caption"] for part in toc["parts"]] == ["Exercises"]
    assert student_book.toc_files(toc) == ["intro", "exercises/ex1"]


def test_a_link_to_a_solution_outside_an_only_block_is_named():
    text = ("See [it](../solutions/ex1.md) and {doc}`the answer <solutions/ex1>`.\n"
            "```{only} solutions\n[hidden](solutions/ex1.md)\n```\n"
            "An [exercise](exercises/ex1.md).\n")
    assert student_book.links_to_solutions(text) == [
        "See [it](../solutions/ex1.md) and {doc}`the answer <solutions/ex1>`."]


@pytest.mark.slow
def test_the_full_and_the_student_build(tmp_path):
    full = build_book(tmp_path / "book", PAGES, TOC, book_config()) / "html"
    assert (full / "solutions" / "ex1.html").is_file()
    assert 'href="solutions/ex1.html"' in (full / "intro.html").read_text(encoding="utf-8")

    html = student_book.build(tmp_path / "book", tmp_path / "student")
    assert (html / "exercises" / "ex1.html").is_file()
    assert not (html / "solutions").exists()
    assert student_book.check_site(html) == []
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert "Every exercise has a check" in intro and "Compare with" not in intro
    config = yaml.safe_load((tmp_path / "student" / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["cache"] == str(tmp_path / "book" / "_build" / ".jupyter_cache")


def test_the_site_check_finds_what_is_left(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex1.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "intro.html").write_text('<a href="solutions/ex1.html">s</a>', encoding="utf-8")
    assert len(student_book.check_site(tmp_path)) == 2

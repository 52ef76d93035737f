"""tools/clean_notebooks.py on malformed sources: one clear line per file, nothing written.

(The tests of its normal work, and of files that are no notebook at all, are in
test_tools.py.)
"""

from __future__ import annotations

import shutil
import sys

import pytest
from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import clean_notebooks  # noqa: E402
import notebook_files  # noqa: E402

HEADER = ("---\njupytext:\n  text_representation:\n    extension: .md\n"
          "    format_name: myst\n    format_version: 0.13\nkernelspec:\n"
          "  display_name: Python 3 (ipykernel)\n  language: python\n  name: python3\n---\n")
FENCE = "```"

# name -> (the file's text, what the message must say)
MALFORMED = {
    "empty file": ("", "no jupytext header"),
    "front matter never closed": (HEADER.removesuffix("---\n") + "\n# Title\n",
                                  "front matter"),
    "front matter bad YAML": ("---\njupytext: [unclosed\n---\n# Title\n", "front matter"),
    "front matter a list": ("---\n- jupytext\n---\n# Title\n", "no jupytext header"),
    "jupytext not a mapping": ("---\njupytext: 5\n---\n# Title\n", "jupytext"),
    "kernelspec not a mapping": (HEADER.replace("kernelspec:\n  display_name: Python 3 "
                                                "(ipykernel)\n  language: python\n  name: "
                                                "python3\n", "kernelspec: 7\n") + "# T\n",
                                 "kernelspec"),
    "no cells": (HEADER, "no cells"),
    "code cell never closed": (HEADER + "\n# Title\n\n" + FENCE + "{code-cell}\nx = 1\n\n"
                               "## A heading swallowed as code\n", "line 15"),
    "markdown fence never closed": (HEADER + "\n# Title\n\n" + FENCE + "python\nx = 1\n\n"
                                    + FENCE + "{code-cell}\ny = 2\n", "never closed"),
    "cell options bad YAML": (HEADER + "\n" + FENCE + "{code-cell}\n---\ntags: [a\n---\n"
                              "x = 1\n" + FENCE + "\n", "Invalid YAML"),
    "tags not a list": (HEADER + "\n" + FENCE + "{code-cell}\n:tags: 5\nx = 1\n" + FENCE
                        + "\n", "tags"),
    "cell metadata bad JSON": (HEADER + "\n+++ {bad json\n\ntext\n", "could not be read"),
    "cell metadata not an object": (HEADER + "\n+++ [1, 2]\n\ntext\n", "not a dict"),
    "not UTF-8": ("# Caf\xe9".encode("cp1252"), "not UTF-8 text"),
}


@pytest.fixture
def good(tmp_path):
    """A real chapter that cleaning would rewrite (it carries an editor's metadata)."""
    path = tmp_path / "good.md"
    shutil.copy(ROOT / "chapters" / "ch01_recurrent_loop.md", path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "kernelspec:", "language_info:\n  name: python\nkernelspec:", 1), encoding="utf-8")
    assert clean_notebooks.main(["--check", str(path)]) == 1
    return path


@pytest.mark.parametrize("name", MALFORMED)
@pytest.mark.parametrize("check", [False, True], ids=["clean", "check"])
def test_a_malformed_source_is_one_clear_line_and_nothing_is_written(name, check, good,
                                                                     tmp_path, capsys):
    content, reason = MALFORMED[name]
    bad = tmp_path / "bad.md"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = {path: path.read_bytes() for path in (good, bad)}
    assert clean_notebooks.main(["--check"] * check + [str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines == [lines[0], "Nothing was changed."], captured.err  # one line per file
    assert lines[0].startswith(f"{bad}: ") and reason in lines[0], lines[0]
    assert lines[0] == lines[0].rstrip()
    assert "Traceback" not in captured.err and captured.out == ""
    assert {path: path.read_bytes() for path in (good, bad)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.md", "good.md"]


def test_a_folder_named_like_a_source_is_a_clear_error(good, tmp_path, capsys):
    folder = tmp_path / "folder.md"
    folder.mkdir()
    assert clean_notebooks.main([str(good), str(folder)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"{folder}: cannot read") and "Traceback" not in error


def test_the_error_handling_names_only_exceptions_that_exist():
    """It once caught nbformat.reader.NBFormatError, which does not exist."""
    import nbformat.reader

    assert not hasattr(nbformat.reader, "NBFormatError")
    for tool in ("clean_notebooks.py", "notebook_files.py"):
        assert "NBFormatError" not in (ROOT / "tools" / tool).read_text(encoding="utf-8")


def test_a_source_saved_with_a_byte_order_mark_is_read_and_cleaned(tmp_path):
    """Windows editors (Notepad) start a UTF-8 file with a byte order mark."""
    path = tmp_path / "bom.md"
    original = (ROOT / "chapters" / "ch01_recurrent_loop.md").read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original)
    assert clean_notebooks.main(["--check", str(path)]) == 1
    assert clean_notebooks.main([str(path)]) == 0
    assert path.read_bytes() == original


def test_cleaning_keeps_the_file_mode_and_leaves_no_temporary_file(good, tmp_path):
    good.chmod(0o640)
    assert clean_notebooks.main([str(good)]) == 0
    assert good.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["good.md"]
    assert clean_notebooks.main(["--check", str(good)]) == 0


@pytest.mark.parametrize("damage, reason", [
    (lambda text: text.replace(FENCE + "{code-cell}", FENCE + "python", 1),
     "would read back differently from cell"),
    (lambda text: text.replace("---\n", "", 1), "would not be a notebook")])
def test_a_cleaned_form_that_would_not_read_back_is_not_written(damage, reason, good,
                                                                  monkeypatch, capsys):
    """Should the writer ever lose a cell, the file keeps its text."""
    real_source_text = notebook_files.source_text
    monkeypatch.setattr(notebook_files, "source_text",
                        lambda notebook: damage(real_source_text(notebook)))
    before = good.read_bytes()
    assert clean_notebooks.main([str(good)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"{good}: ") and reason in error
    assert good.read_bytes() == before

"""tools/: clear messages for bad input, never a raw traceback or a half-written tree."""

from __future__ import annotations

import shutil
import sys

import pytest
from notebooks import ROOT, notebook_files

sys.path.insert(0, str(ROOT / "tools"))
import clean_notebooks  # noqa: E402
import set_repository_url  # noqa: E402


@pytest.fixture
def sandboxed_repository(tmp_path, monkeypatch):
    """set_repository_url working on a copy of _config.yml and of one notebook."""
    config = tmp_path / "_config.yml"
    shutil.copy(ROOT / "_config.yml", config)
    notebook = tmp_path / "ch01.md"
    shutil.copy(ROOT / "chapters" / "ch01_recurrent_loop.md", notebook)
    monkeypatch.setattr(set_repository_url, "ROOT", tmp_path)
    monkeypatch.setattr(set_repository_url, "CONFIG", config)
    monkeypatch.setattr(set_repository_url, "notebooks", lambda: [notebook])
    return config, notebook


@pytest.mark.parametrize("url", ["https://github.com/owner/repo\n",
                                 "https://github.com/owner/repo\n%pip install evil",
                                 " https://github.com/owner/repo",
                                 "https://gitlab.com/owner/repo",
                                 "https://github.com/owner"])
def test_set_repository_url_refuses_a_malformed_url(url, sandboxed_repository):
    config, notebook = sandboxed_repository
    before = config.read_text(), notebook.read_text()
    with pytest.raises(SystemExit, match="expected https://github.com/OWNER/REPO"):
        set_repository_url.set_url(url)
    assert (config.read_text(), notebook.read_text()) == before


def test_set_repository_url_accepts_a_repository(sandboxed_repository, capsys):
    config, notebook = sandboxed_repository
    set_repository_url.set_url("https://github.com/some-one/rnn.course")
    assert "  url: https://github.com/some-one/rnn.course\n" in config.read_text()
    first = next(c for c in notebook_files.read(notebook).cells
                 if c.cell_type == "code")
    assert "git+https://github.com/some-one/rnn.course" in first.source
    assert len(first.source.splitlines()) == len(
        set_repository_url.setup_cell_source("https://github.com/a/b").splitlines())


def test_set_repository_url_keeps_a_yaml_comment(sandboxed_repository):
    config, _ = sandboxed_repository
    config.write_text(config.read_text(encoding="utf-8").replace(
        set_repository_url.configured_url(),
        set_repository_url.configured_url() + "  # the fork's URL"), encoding="utf-8")
    set_repository_url.set_url("https://github.com/some-one/rnn.course")
    assert "  url: https://github.com/some-one/rnn.course  # the fork's URL\n" in (
        config.read_text(encoding="utf-8"))
    assert set_repository_url.configured_url() == "https://github.com/some-one/rnn.course"


def test_set_repository_url_refuses_a_config_it_cannot_read(sandboxed_repository):
    config, notebook = sandboxed_repository
    config.write_text("title: no repository block\n", encoding="utf-8")
    before = notebook.read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match="no repository.url"):
        set_repository_url.set_url("https://github.com/some-one/rnn.course")
    assert notebook.read_text(encoding="utf-8") == before


@pytest.mark.parametrize("ref", ["main; rm -rf ~", "v1 .0", "-e", "$(id)"])
def test_setup_cell_refuses_a_pin_that_is_not_a_commit_or_tag(ref):
    with pytest.raises(SystemExit, match="commit or a release tag"):
        set_repository_url.setup_cell_source("https://github.com/a/b", ref)


def test_setup_cell_pins_a_release_tag():
    source = set_repository_url.setup_cell_source("https://github.com/a/b", "v0.1.0")
    assert "rnncourse @ git+https://github.com/a/b@v0.1.0" in source


@pytest.mark.parametrize("content, reason", [
    ("not a notebook at all", "no jupytext header"),
    ("---\ntitle: x\n---\n# A page\n", "no jupytext header"),
    (b"\xff\xfe\x00", "not UTF-8 text")])
def test_clean_notebooks_explains_a_file_that_is_not_a_notebook(content, reason, tmp_path,
                                                                capsys):
    good = tmp_path / "good.md"
    shutil.copy(ROOT / "chapters" / "ch01_recurrent_loop.md", good)
    good.write_text(good.read_text(encoding="utf-8").replace(
        "kernelspec:", "language_info:\n  name: python\nkernelspec:", 1), encoding="utf-8")
    assert clean_notebooks.main(["--check", str(good)]) == 1  # cleaning would rewrite it
    before = good.read_bytes()
    bad = tmp_path / "bad.md"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert clean_notebooks.main([str(good), str(bad)]) == 2
    message = capsys.readouterr().err
    assert f"{bad}: " in message and reason in message
    assert "Traceback" not in message
    assert good.read_bytes() == before  # nothing is written unless every file is read


def test_clean_notebooks_refuses_a_jupyter_file(tmp_path, capsys):
    path = tmp_path / "page.ipynb"
    path.write_text("{}", encoding="utf-8")
    assert clean_notebooks.main([str(path)]) == 2
    assert "not a MyST notebook source (.md)" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "{}"


def test_clean_notebooks_drops_editor_metadata_and_keeps_tags(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Chapter 0"),
        nbformat.v4.new_code_cell("1 + 1", metadata={
            "tags": ["parameters"], "collapsed": True, "jupyter": {"source_hidden": True}})])
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11"}
    path = tmp_path / "dirty.md"
    import jupytext
    path.write_text(jupytext.writes(notebook, fmt="md:myst"), encoding="utf-8")
    assert clean_notebooks.main(["--check", str(path)]) == 1
    assert clean_notebooks.main([str(path)]) == 0
    assert clean_notebooks.main(["--check", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert "source_hidden" not in text and "collapsed" not in text and "3.11" not in text
    cell = notebook_files.read(path).cells[1]
    assert cell.metadata == {"tags": ["parameters"]} and cell.source == "1 + 1"


def test_committed_sources_are_clean():
    assert clean_notebooks.main(["--check"]) == 0

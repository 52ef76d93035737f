"""tools/: clear messages for bad input, never a raw traceback or a half-written tree."""

from __future__ import annotations

import shutil
import sys

import nbformat
import pytest
from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import clean_notebooks  # noqa: E402
import set_repository_url  # noqa: E402


@pytest.fixture
def sandboxed_repository(tmp_path, monkeypatch):
    """set_repository_url working on a copy of _config.yml and of one notebook."""
    config = tmp_path / "_config.yml"
    shutil.copy(ROOT / "_config.yml", config)
    notebook = tmp_path / "ch01.ipynb"
    shutil.copy(ROOT / "chapters" / "ch01_recurrent_loop.ipynb", notebook)
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
    first = next(c for c in nbformat.read(notebook, as_version=4).cells
                 if c.cell_type == "code")
    assert "git+https://github.com/some-one/rnn.course" in first.source
    assert len(first.source.splitlines()) == len(
        set_repository_url.setup_cell_source("https://github.com/a/b").splitlines())


@pytest.mark.parametrize("content, reason", [("not json at all", "not valid JSON"),
                                             ('{"cells": []}', "not a notebook"),
                                             (b"\xff\xfe\x00", "not valid JSON")])
def test_clean_notebooks_explains_a_file_that_is_not_a_notebook(content, reason, tmp_path,
                                                                capsys):
    good = tmp_path / "good.ipynb"
    shutil.copy(ROOT / "chapters" / "ch01_recurrent_loop.ipynb", good)
    before = good.read_bytes()
    bad = tmp_path / "bad.ipynb"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert clean_notebooks.main([str(good), str(bad)]) == 2
    message = capsys.readouterr().err
    assert f"{bad}: {reason}" in message
    assert "Traceback" not in message
    assert good.read_bytes() == before  # nothing is written unless every file is read


def test_clean_notebooks_cleans(tmp_path):
    path = tmp_path / "dirty.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    notebook.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
    notebook.cells[0].execution_count = 3
    nbformat.write(notebook, path)
    assert clean_notebooks.main([str(path)]) == 0
    cell = nbformat.read(path, as_version=4).cells[0]
    assert cell.outputs == [] and cell.execution_count is None and cell.id == "cell-000"

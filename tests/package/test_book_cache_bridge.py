"""The root conftest.py hands nbval's outputs to the book: pin what that relies on.

It reads nbval's ``item.test_outputs`` and ``item.cell_num`` and stores a bundle in the
jupyter cache with ``check_validity=False``; the book (myst-nb, ``execute_notebooks:
cache``) then finds the notebook there and executes nothing. If an upgrade of nbval or
jupyter-cache changes either side, this test fails instead of the book silently running
every notebook a second time.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from notebooks import ROOT, notebook_files


def _tiny_source(folder):
    """A MyST source with a tagged cell and an option block, as the chapters have them."""
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tiny"),
        nbformat.v4.new_code_cell("x = 6 * 7\nprint('printed', x)",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("x", metadata={"tags": ["hide-input"], "mystnb": {
            "figure": {"caption": "A caption: with a colon", "name": "fig-x"}}}),
    ])
    path = folder / "source" / "chapters" / "tiny.md"
    path.parent.mkdir(parents=True)
    notebook_files.write_source(notebook, path)
    return path


@pytest.mark.slow
def test_nbval_outputs_reach_the_cache_the_book_reads(tmp_path):
    source = _tiny_source(tmp_path)
    path = notebook_files.convert_to_ipynb(source, tmp_path / "ipynb", root=tmp_path / "source")
    cache_dir = tmp_path / "cache"
    environment = {**os.environ, "RNNCOURSE_BOOK_CACHE": str(cache_dir),
                   "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-o", "addopts=",
         "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env", "-q",
         f"--rootdir={tmp_path}", str(path)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr

    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    # What myst-nb does for execute_notebooks: cache: read the MyST source with its own
    # reader, match it in the cache, merge the outputs.
    from myst_nb.core.read import read_myst_markdown_notebook

    read = read_myst_markdown_notebook(source.read_text(encoding="utf-8"), path=str(source))
    _, merged = cache.merge_match_into_notebook(read)
    outputs = [cell.outputs for cell in merged.cells if cell.cell_type == "code"]
    assert "printed 42" in outputs[0][0]["text"]
    assert outputs[1][0]["data"]["text/plain"] == "42"
    assert [c.execution_count for c in merged.cells if c.cell_type == "code"] == [1, 2]

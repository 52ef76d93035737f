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
from notebooks import ROOT


def _tiny_notebook(folder):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tiny"),
        nbformat.v4.new_code_cell("x = 6 * 7\nprint('printed', x)"),
        nbformat.v4.new_code_cell("x"),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = folder / "chapters" / "tiny.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_nbval_outputs_reach_the_cache_the_book_reads(tmp_path):
    path = _tiny_notebook(tmp_path)
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
    # What myst-nb does for execute_notebooks: cache: match the source, merge the outputs.
    source = nbformat.read(path, as_version=4)
    _, merged = cache.merge_match_into_notebook(source)
    outputs = [cell.outputs for cell in merged.cells if cell.cell_type == "code"]
    assert "printed 42" in outputs[0][0]["text"]
    assert outputs[1][0]["data"]["text/plain"] == "42"
    assert [c.execution_count for c in merged.cells if c.cell_type == "code"] == [1, 2]

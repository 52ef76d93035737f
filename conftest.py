"""Run the full-size notebooks once: nbval's outputs become the book's execution cache.

nbval (``--nbval-lax``) executes every chapter and solution at its default parameters, in
the Jupyter copies of the MyST sources that ``make test`` writes to ``_build/ipynb/``
(``tools/notebook_files.py``). When every cell of a notebook passes, this plugin stores
the outputs nbval collected in the Jupyter Book execution cache (``_build/.jupyter_cache``),
under the source's path and keyed exactly as the book build keys it (code cells and
kernel, which the copy shares with its source). The ``jupyter-book build`` that follows in
``make test`` then renders those outputs instead of executing each notebook a second time.
Exercises are not cached: the book shows them unexecuted.

It relies on two things other packages own: nbval's items carry ``test_outputs`` and
``cell_num``, and jupyter-cache accepts a bundle with ``check_validity=False`` that the book
(myst-nb) then matches. ``tests/package/test_book_cache_bridge.py`` pins both, so an upgrade
that changes them fails loudly instead of making the book execute everything again.
``RNNCOURSE_BOOK_CACHE`` moves the cache (that test uses it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
BOOK_CACHE = Path(os.environ.get("RNNCOURSE_BOOK_CACHE", ROOT / "_build" / ".jupyter_cache"))
CACHED_FOLDERS = ("chapters", "solutions")


class _NotebookRun:
    def __init__(self):
        self.outputs: dict[int, list] = {}
        self.failed = False
        self.seconds = 0.0


_runs: dict[Path, _NotebookRun] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not hasattr(item, "test_outputs") or not hasattr(item, "cell_num"):
        return  # not an nbval cell
    path = Path(str(item.fspath))
    if path.parent.name not in CACHED_FOLDERS:
        return
    run = _runs.setdefault(path, _NotebookRun())
    report = outcome.get_result()
    run.seconds += report.duration
    if report.failed or report.skipped:
        run.failed = True
    elif call.when == "call":
        run.outputs[item.cell_num] = list(item.test_outputs or [])


def pytest_sessionfinish(session):
    complete = {path: run for path, run in _runs.items() if not run.failed}
    if not complete:
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(BOOK_CACHE))
    for path, run in complete.items():
        notebook = nbformat.read(path, as_version=4)
        code_cells = [c for c in notebook.cells if c.cell_type == "code"]
        if len(run.outputs) != len(code_cells):
            continue  # some cells were deselected: not a full run
        for number, cell in enumerate(code_cells):  # nbval numbers code cells only
            cell.outputs = run.outputs[number]
            cell.execution_count = number + 1
            for output in cell.outputs:
                if output.get("output_type") == "execute_result":
                    output["execution_count"] = number + 1
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, str(_source_of(path)),
                          data={"execution_seconds": run.seconds}),
            check_validity=False, overwrite=True)


def _source_of(copy: Path) -> Path:
    """The MyST source that the Jupyter copy ``copy`` was made from (``copy`` if none)."""
    source = ROOT / copy.parent.name / copy.with_suffix(".md").name
    return source if source.exists() else copy

"""Helpers for tests that run notebooks: find them, execute them, read their records."""

from __future__ import annotations

import ast
import contextlib
import os
import sys
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebook_files  # noqa: E402

# The real IMDB archive, offline: CI names the shared copy in the environment; a checkout
# has it beside the repository. Elsewhere the loader downloads the official archive.
REAL_ARCHIVE = Path(os.environ.get("RNNCOURSE_IMDB_ARCHIVE")
                    or ROOT.parent / "shared/datasets/aclImdb_v1_labeled.tar.gz")
NOTEBOOK_DIRS = ("chapters", "exercises", "solutions")
RECORD_PREFIX = "application/papermill.record/"
# Every kernel these helpers start checks LSTM and GRU masks as cuDNN would on a GPU
# (rnncourse/cudnn_rules.py; `import rnncourse` installs the check when this is "1").
CUDNN_CHECK = {"RNNCOURSE_CHECK_CUDNN_MASKS": "1"}


def all_notebooks() -> list[Path]:
    return notebook_files.sources(NOTEBOOK_DIRS)


def source(notebook: str):
    """The committed source ``notebook`` (relative to the root), as a Jupyter notebook."""
    return notebook_files.read(ROOT / notebook)


def as_ipynb(notebook: str, output_dir: Path) -> Path:
    """The Jupyter copy of the source ``notebook`` (relative to the root), in ``output_dir``."""
    target = Path(output_dir) / f"source-{Path(notebook).stem}.ipynb"
    notebook_files.write_ipynb(notebook_files.read(ROOT / notebook), target)
    return target


@contextlib.contextmanager
def kernel_environment(variables: dict[str, str] = CUDNN_CHECK):
    """Set environment ``variables`` for the kernels started inside the block."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def execute(notebook: str, parameters: dict, output_dir: Path):
    """Run ``notebook`` (relative to the repo root) with papermill; return the result.

    The notebook runs in its own folder, as the book and nbval run it. Cells tagged
    ``raises-exception`` may fail; any other error fails the test. The kernel enforces
    cuDNN's mask rules (``CUDNN_CHECK``), so a notebook that would stop on a GPU fails.
    """
    source = ROOT / notebook
    target = output_dir / source.with_suffix(".ipynb").name
    with kernel_environment():
        papermill.execute_notebook(
            str(as_ipynb(notebook, output_dir)), str(target), parameters=parameters,
            kernel_name="python3", cwd=str(source.parent), progress_bar=False,
            request_save_on_cell_execute=False)
    return nbformat.read(target, as_version=4)


def execute_tolerating_tagged_errors(notebook: str, parameters: dict, output_dir: Path):
    """Like ``execute``, but cells tagged ``raises-exception`` may fail and the run goes on.

    papermill injects the parameters; nbclient (papermill's own engine) executes, since
    papermill itself fails a run on any error output, tagged or not.
    """
    import nbclient

    source = ROOT / notebook
    prepared = output_dir / f"prepared-{source.stem}.ipynb"
    papermill.execute_notebook(str(as_ipynb(notebook, output_dir)), str(prepared),
                               parameters=parameters,
                               kernel_name="python3", prepare_only=True)
    executed = nbformat.read(prepared, as_version=4)
    with kernel_environment():
        nbclient.NotebookClient(executed, kernel_name="python3", timeout=1800,
                                resources={"metadata": {"path": str(source.parent)}}).execute()
    return executed


def recorded_values(notebook) -> dict:
    """Values a notebook stored with ``rnncourse.record`` (or myst-nb's ``glue``).

    Numbers, strings, lists and dicts come back as Python values (from their text form);
    anything else as its text.
    """
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            data = output.get("data", {})
            text = data.get(RECORD_PREFIX + "text/plain", data.get("text/plain"))
            values[name] = _literal(text)
    return values


def full_size_values(notebook: str) -> dict:
    """Values recorded by the book build's full-size run of ``notebook`` (run make book first).

    The book stores every glued value of a notebook in ``_build/jupyter_execute/...glue.json``.
    """
    import json

    glue_file = ROOT / "_build" / "jupyter_execute" / str(Path(notebook).with_suffix(".glue.json"))
    if not glue_file.exists():
        raise FileNotFoundError(f"{glue_file} is missing: build the book first (make book)")
    glued = json.loads(glue_file.read_text())
    return {name: _literal(output["data"].get("text/plain")) for name, output in glued.items()}


def errors(notebook) -> list[tuple[int, list[str], str]]:
    """(cell index, tags, exception name) for every cell that raised."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append((index, cell.metadata.get("tags", []), output["ename"]))
    return found


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError):
        return text

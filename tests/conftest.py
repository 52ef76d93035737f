"""Fixtures for every test folder: run a notebook once per parameter set, however many
tests read it (``run_notebook``, ``small_run``), and read the book's full-size run
(``full_size_values``). The root ``conftest.py`` is a different thing: the plugin that
hands nbval's full-size outputs to the book build."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from notebooks import execute, full_size_values as read_full_size_values, recorded_values  # noqa: E402,I001
from small_parameters import SMALL_PARAMETERS  # noqa: E402


class Executed:
    """An executed notebook and the values it recorded."""

    def __init__(self, notebook):
        self.notebook = notebook
        self.values = recorded_values(notebook)
        # Everything the notebook printed (stream outputs), e.g. the checks' ✓ lines.
        self.printed = "".join(output.get("text", "") for cell in notebook.cells
                               for output in cell.get("outputs", []))

    def __getitem__(self, name):
        assert name in self.values, (
            f"the notebook recorded no value {name!r}; it recorded {sorted(self.values)}")
        return self.values[name]


@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory):
    """``run_notebook(path, **parameters)`` -> Executed, cached for the whole session."""
    cache = {}

    def run(notebook: str, **parameters) -> Executed:
        key = (notebook, json.dumps(parameters, sort_keys=True))
        if key not in cache:
            folder = tmp_path_factory.mktemp(Path(notebook).stem)
            cache[key] = Executed(execute(notebook, parameters, folder))
        return cache[key]

    return run


@pytest.fixture(scope="session")
def small_run(run_notebook):
    """``small_run(path)``: the notebook run with its small parameters (cached)."""
    return lambda notebook: run_notebook(notebook, **SMALL_PARAMETERS[notebook])


@pytest.fixture(scope="session")
def full_size_values():
    """``full_size_values(path)``: the values the book's full-size run of ``path`` recorded.

    Tests that use it are marked ``full_size``; ``make test`` runs them after the book build.
    """
    cache = {}

    def read(notebook: str) -> dict:
        if notebook not in cache:
            cache[notebook] = read_full_size_values(notebook)
        return cache[notebook]

    return read

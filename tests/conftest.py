"""Shared fixtures: run a notebook once per parameter set, however many tests read it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from notebooks import execute, recorded_values  # noqa: E402
from small_parameters import SMALL_PARAMETERS  # noqa: E402


class Executed:
    """An executed notebook and the values it recorded."""

    def __init__(self, notebook):
        self.notebook = notebook
        self.values = recorded_values(notebook)

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

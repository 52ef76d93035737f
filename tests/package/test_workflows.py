"""The GitHub Actions workflows pass actionlint (syntax, expressions, action inputs)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from notebooks import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    assert Path(found).exists(), "actionlint is missing: run `make venv`"
    return found


def test_there_is_a_ci_and_a_pages_workflow():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pages.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow):
    result = subprocess.run([actionlint(), "-no-color", str(workflow)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_finds_errors(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
                      "    steps:\n      - run: echo ${{ github.nonexistent_context }}\n")
    result = subprocess.run([actionlint(), "-no-color", str(broken)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0

"""The GitHub Actions workflows: actionlint (syntax, expressions, action inputs), least
privilege, actions pinned to commits, exact cache keys."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
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


# --- issue 12 defect 7: least privilege, one pinned set of actions, exact cache keys ----

def workflow(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def uses_lines() -> list[tuple[str, str]]:
    """(workflow file name, text after ``uses:``) for every step that uses an action."""
    return [(path.name, line.split("uses:", 1)[1].strip())
            for path in WORKFLOWS for line in path.read_text().splitlines()
            if line.strip().startswith(("uses:", "- uses:"))]


def test_every_workflow_grants_least_privilege():
    for path in WORKFLOWS:
        flow = workflow(path)
        assert flow.get("permissions") == {"contents": "read"}, (
            f"{path.name}: the workflow's default token should only read the repository")
        for name, job in flow["jobs"].items():
            granted = job.get("permissions", {})
            assert "write-all" not in str(granted), f"{path.name}: job {name}"


def test_actions_are_pinned_to_commits_with_their_version_in_a_comment():
    pinned = re.compile(r"^([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$")
    versions: dict[str, set] = {}
    for name, uses in uses_lines():
        match = pinned.match(uses)
        assert match, f"{name}: {uses!r} is not pinned as 'owner/action@<sha> # vX.Y.Z'"
        versions.setdefault(match.group(1), set()).add(match.group(2, 3))
    assert versions
    for action, pins in versions.items():
        assert len(pins) == 1, f"{action} is pinned to different versions: {sorted(pins)}"


def test_cache_keys_are_exact():
    """Every key names what the cached files depend on; a restore key may leave out only
    the part that the cached tool checks itself (the notebooks, which jupyter-cache
    matches one by one), never the dependencies."""
    for path in WORKFLOWS:
        for job in workflow(path)["jobs"].values():
            for step in job.get("steps", []):
                if not str(step.get("uses", "")).startswith("actions/cache@"):
                    continue
                key = step["with"]["key"]
                restores = str(step["with"].get("restore-keys", "")).splitlines()
                for restore in filter(None, map(str.strip, restores)):
                    assert "hashFiles(" in restore and key.startswith(restore), (
                        f"{path.name}: restore key {restore!r} is broader than the"
                        " dependencies of the cached files")
                if "jupyter" in key:
                    for dependency in ("constraints.txt", "requirements.txt", "rnncourse/"):
                        assert dependency in key, f"{path.name}: {key} ignores {dependency}"

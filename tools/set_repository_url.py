"""Set the repository URL in its one place, `_config.yml`, and make the notebooks follow.

The book's launch and repository buttons read `repository.url` in `_config.yml`. Each
notebook's set-up cell installs the helper package from the same repository when run on
Colab or Binder; this script rewrites that cell in every notebook to match.

The learner notebooks (tools/learner_notebooks.py, `make learner`: the copies that
`make lab` and the launch buttons open) pin the helper to the commit they were generated
from, ``git+URL@COMMIT``; ``--check`` also verifies that pin in every learner notebook
that exists (in ``learner/``, or the folder named by ``--learner DIR``).

Usage: python tools/set_repository_url.py https://github.com/OWNER/REPO
       python tools/set_repository_url.py --check [--learner DIR]
           (exit 1 if a notebook disagrees, or a learner notebook is not pinned)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
NOTEBOOK_DIRS = ("chapters", "solutions", "exercises")
_CONFIG_URL = re.compile(r"(?m)^(repository:\n(?:  .*\n)*?  url: )(\S+)$")
# \Z, not $: "$" also matches before a trailing newline, which would split the %pip line.
_GITHUB_URL = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+\Z")


def setup_cell_source(url: str, ref: str | None = None) -> str:
    """The first code cell of every notebook, for the repository at ``url``.

    With ``ref`` (a commit), the helper is installed from that commit: the learner
    notebooks' form. The sources in chapters/, exercises/ and solutions/ have no ``ref``.
    """
    requirement = f"rnncourse @ git+{url}" + (f"@{ref}" if ref else "")
    return (
        "# Set-up: on Colab or Binder this installs the course's helper package; locally\n"
        "# (after `make lab`) it is already installed and the cell does nothing.\n"
        "try:\n"
        "    import rnncourse  # noqa: F401\n"
        "except ModuleNotFoundError:\n"
        f'    %pip install --quiet "{requirement}"\n'
        "    import rnncourse  # noqa: F401")


def configured_url() -> str:
    match = _CONFIG_URL.search(CONFIG.read_text())
    if not match:
        raise SystemExit(f"no repository.url in {CONFIG}")
    return match.group(2)


def notebooks() -> list[Path]:
    return sorted(p for d in NOTEBOOK_DIRS for p in (ROOT / d).glob("*.ipynb"))


def first_code_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def set_url(url: str) -> None:
    if not _GITHUB_URL.match(url):
        raise SystemExit(f"expected https://github.com/OWNER/REPO, got {url!r}")
    CONFIG.write_text(_CONFIG_URL.sub(lambda m: m.group(1) + url, CONFIG.read_text()))
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        first_code_cell(notebook).source = setup_cell_source(url)
        nbformat.write(notebook, path)
        print(f"updated {path.relative_to(ROOT)}")


def disagreeing_notebooks() -> list[Path]:
    expected = setup_cell_source(configured_url())
    return [path for path in notebooks()
            if first_code_cell(nbformat.read(path, as_version=4)).source != expected]


LEARNER = ROOT / "learner"
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def unpinned_learner_notebooks(folder: Path = LEARNER) -> list[str]:
    """Problems with the set-up cells of the learner notebooks in ``folder`` (if any)."""
    problems, commits = [], set()
    url = configured_url()
    for path in sorted(folder.glob("*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        commit = notebook.metadata.get("rnncourse_learner", {}).get("commit", "")
        commits.add(commit)
        if not _COMMIT.match(commit):
            problems.append(f"{path}: not pinned to a commit (got {commit!r})")
        elif first_code_cell(notebook).source != setup_cell_source(url, commit):
            problems.append(f"{path}: the set-up cell does not install the helper from "
                            f"{url} at commit {commit}")
    if len(commits) > 1:
        problems.append(f"{folder}: notebooks from different commits: {sorted(commits)}")
    return problems


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"] and len(argv) in (1, 3) and argv[1:2] in ([], ["--learner"]):
        wrong = disagreeing_notebooks()
        for path in wrong:
            print(f"set-up cell differs from _config.yml's repository: {path}")
        learner = Path(argv[2]) if len(argv) == 3 else LEARNER
        problems = unpinned_learner_notebooks(learner)
        for problem in problems:
            print(problem)
        return 1 if wrong or problems else 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    set_url(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

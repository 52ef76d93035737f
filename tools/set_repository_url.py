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
import notebook_files

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
NOTEBOOK_DIRS = ("chapters", "solutions", "exercises")
# The url line of the repository block, with an optional YAML comment after the value.
_CONFIG_URL = re.compile(r"(?m)^(repository:\n(?:  .*\n)*?  url: )(\S+)([ \t]+#.*)?$")
# \Z, not $: "$" also matches before a trailing newline, which would split the %pip line.
_GITHUB_URL = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+\Z")
# A commit or a release tag (v1.2.0): nothing a shell or pip would read as syntax.
_REF = re.compile(r"^[\w][\w.-]*\Z")


def setup_cell_source(url: str, ref: str | None = None) -> str:
    """The first code cell of every notebook, for the repository at ``url``.

    With ``ref`` (a commit), the helper is installed from that commit: the learner
    notebooks' form. The sources in chapters/, exercises/ and solutions/ have no ``ref``.
    """
    validated(url, "the set-up cell's URL")
    if ref is not None and not _REF.match(ref):
        raise RepositoryUrlError(f"the helper's pin must be a commit or a release tag, "
                                 f"got {ref!r}")
    requirement = f"rnncourse @ git+{url}" + (f"@{ref}" if ref else "")
    return (
        "# Set-up: on Colab or Binder this installs the course's helper package; locally\n"
        "# (after `make lab`) it is already installed and the cell does nothing.\n"
        "try:\n"
        "    import rnncourse  # noqa: F401\n"
        "except ModuleNotFoundError:\n"
        f'    %pip install --quiet "{requirement}"\n'
        "    import rnncourse  # noqa: F401")


class RepositoryUrlError(SystemExit):
    """The repository URL is missing or not a plain GitHub repository URL."""


def validated(url: str, where: str) -> str:
    """``url`` if it is https://github.com/OWNER/REPO and nothing else (no shell, no space).

    The URL ends up in a ``%pip`` line that Colab runs, so it is checked wherever it is
    read, not only where it is set.
    """
    if not isinstance(url, str) or not _GITHUB_URL.match(url):
        raise RepositoryUrlError(f"{where}: expected https://github.com/OWNER/REPO, "
                                 f"got {url!r}")
    return url


def configured_url() -> str:
    """``repository.url`` of _config.yml, validated (the regex and YAML must agree)."""
    import yaml

    text = CONFIG.read_text(encoding="utf-8")
    match = _CONFIG_URL.search(text)
    config = yaml.safe_load(text) or {}
    parsed = (config.get("repository") or {}).get("url")
    if not match or parsed is None:
        raise RepositoryUrlError(f"no repository.url in {CONFIG}")
    if match.group(2) != parsed:
        raise RepositoryUrlError(f"{CONFIG}: cannot read repository.url unambiguously "
                                 f"({match.group(2)!r} or {parsed!r}); write it as "
                                 "'  url: https://github.com/OWNER/REPO'")
    return validated(parsed, str(CONFIG))


def notebooks() -> list[Path]:
    return notebook_files.sources(NOTEBOOK_DIRS, ROOT)


def first_code_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def set_url(url: str) -> None:
    """Write ``url`` into _config.yml, then into every notebook's set-up cell.

    Everything is read and checked first, so a bad URL or config changes no file.
    """
    validated(url, "the new URL")
    configured_url()  # the current config must be readable before it is rewritten
    text = CONFIG.read_text(encoding="utf-8")
    new_text, count = _CONFIG_URL.subn(lambda m: m.group(1) + url + (m.group(3) or ""), text)
    if count != 1:
        raise RepositoryUrlError(f"{CONFIG}: found {count} repository.url lines, expected 1")
    updated = {}
    for path in notebooks():
        notebook = notebook_files.read(path)
        first_code_cell(notebook).source = setup_cell_source(url)
        updated[path] = notebook
    CONFIG.write_text(new_text, encoding="utf-8")
    for path, notebook in updated.items():
        notebook_files.write_source(notebook, path)
        print(f"updated {path.relative_to(ROOT)}")


def disagreeing_notebooks() -> list[Path]:
    expected = setup_cell_source(configured_url())
    return [path for path in notebooks()
            if first_code_cell(notebook_files.read(path)).source != expected]


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

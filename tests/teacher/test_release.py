"""The one version string (pyproject.toml) agrees with CITATION.cff, CHANGELOG.md and the
installed package (docs/RELEASING.md)."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def changelog_releases() -> dict[str, str]:
    """Version -> date of every ``## [X.Y.Z] - YYYY-MM-DD`` heading of CHANGELOG.md."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return dict(re.findall(r"(?m)^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text))


def test_the_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", version()), version()


def test_citation_carries_the_version_and_its_release_date():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version()
    released = changelog_releases().get(version())
    assert released, f"CHANGELOG.md has no '## [{version()}] - DATE' entry"
    assert str(citation["date-released"]) == released
    date.fromisoformat(released)


def test_changelog_keeps_an_unreleased_section_above_the_releases():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"(?m)^## \[([^\]]+)\]", text)
    assert headings[0] == "Unreleased" and headings[1] == version(), headings


def test_the_package_reports_the_version():
    import rnncourse

    assert rnncourse.__version__ == version()

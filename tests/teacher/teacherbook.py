"""Helpers for the teacher's kit tests (issue 22): small books built in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
BROWSERS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_browser() -> str | None:
    """A Chromium-based browser (``SITE_BROWSER`` first), or None."""
    for candidate in filter(None, (os.environ.get("SITE_BROWSER"), *BROWSERS)):
        if found := shutil.which(candidate):
            return found
    return None


def book_config(**sphinx_config) -> dict:
    """The course's _config.yml, for a small book: nothing executed, no Try-it model."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"] = {"execute_notebooks": "off"}
    config["sphinx"]["config"].update({"tryit_require_model": False, **sphinx_config})
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / folder) for name, folder in config["sphinx"]["local_extensions"].items()}
    config["bibtex_bibfiles"] = [str(ROOT / "references.bib")]
    return config


def build_book(source: Path, pages: dict[str, str], toc: dict, config: dict | None = None,
               builder: str = "html") -> Path:
    """Write ``pages`` (name -> Markdown) and the toc into ``source``; build; return _build."""
    source.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(text, encoding="utf-8")
    (source / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    (source / "_config.yml").write_text(yaml.safe_dump(config or book_config()),
                                        encoding="utf-8")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(source), "--builder", builder,
                             "--warningiserror", "--keep-going"],
                            capture_output=True, text=True, timeout=600, encoding="utf-8")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return source / "_build"

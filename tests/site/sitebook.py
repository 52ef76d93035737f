"""What the site tests know about the book: its table of contents and built files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
TOC = ROOT / "_toc.yml"


def toc_documents() -> list[str]:
    """Every document of ``_toc.yml`` in reading order, root first (e.g. ``chapters/ch01_x``)."""
    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    documents = [_docname(toc["root"])]

    def walk(entries):
        for entry in entries or ():
            if "file" in entry:
                documents.append(_docname(entry["file"]))
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", ()):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return documents


def _docname(file: str) -> str:
    return str(Path(file).with_suffix("")) if Path(file).suffix in (".md", ".ipynb") else file


def chapters() -> list[str]:
    return [d for d in toc_documents() if d.startswith("chapters/")]


def html_path(docname: str) -> Path:
    return SITE / f"{docname}.html"


def docname_of(url: str, base: str) -> str | None:
    """The document a site URL points at (``chapters/ch01_x``), or None if it is not one."""
    if not url.startswith(base):
        return None
    path = urlsplit(url[len(base):]).path
    return path[: -len(".html")] if path.endswith(".html") else None

"""Sphinx extension: the site loads its scripts, styles and fonts from itself, not a CDN.

Loaded from _config.yml (``sphinx: local_extensions: {offline_assets: tools/}``), with
``mathjax_path: mathjax/tex-mml-chtml.js`` in ``sphinx: config:`` (a relative
``mathjax_path`` is relative to the site's ``_static/``).

Why: Sphinx's default loads MathJax from ``cdn.jsdelivr.net/npm/mathjax@3/`` (a floating
major version, no integrity hash, third-party JavaScript on every page); a downloaded copy
of the site, or a classroom without internet, then shows raw TeX.

What it does, for HTML builders:

1. Copies the MathJax files the pages use from ``node_modules/mathjax/es5`` (installed by
   ``npm ci``, pinned by ``package-lock.json``) into ``_static/mathjax/``: the combined
   ``tex-mml-chtml.js``, the CHTML fonts it loads, and the components it loads on demand
   (TeX extensions, the menu, the accessibility explorer and its speech rules). A missing
   or differently versioned copy stops the build with what to run.
2. After the build, reads every written HTML page and warns (an error under
   ``--warningiserror``) about any ``<script src>``, ``<link rel=stylesheet|preload|icon>``
   or CSS ``@import``/``url()`` that points at another origin. Links (``<a href>``) to
   GitHub, Colab or Binder are not loads and are not checked.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
LOCAL_MATHJAX = "mathjax/tex-mml-chtml.js"
# Relative to node_modules/mathjax/es5: what tex-mml-chtml.js needs, now or on demand.
MATHJAX_PARTS = ("tex-mml-chtml.js", "output/chtml", "input", "ui", "a11y", "sre", "adaptors")

logger = logging.getLogger(__name__)


def mathjax_source(node_modules: Path = NODE_MODULES) -> Path:
    """``node_modules/mathjax/es5``, checked against the version package-lock.json pins."""
    package = node_modules / "mathjax" / "package.json"
    if not package.is_file():
        raise ExtensionError(f"MathJax is not installed ({package} is missing): run `npm ci` "
                             "(or `make site-deps`) before building the book")
    installed = json.loads(package.read_text(encoding="utf-8"))["version"]
    lock_file = node_modules.parent / "package-lock.json"
    if lock_file.is_file():
        lock = json.loads(lock_file.read_text(encoding="utf-8"))
        pinned = lock.get("packages", {}).get("node_modules/mathjax", {}).get("version")
        if pinned and pinned != installed:
            raise ExtensionError(f"node_modules has MathJax {installed}, package-lock.json "
                                 f"pins {pinned}: run `npm ci`")
    return package.parent / "es5"


def copy_mathjax(static: Path, source: Path) -> Path:
    """Copy the MathJax parts into ``static/mathjax``; return that folder."""
    target = static / "mathjax"
    for part in MATHJAX_PARTS:
        origin, destination = source / part, target / part
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        elif origin.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
        else:
            raise ExtensionError(f"{origin} is missing from the installed MathJax")
    return target


class _Loads(HTMLParser):
    """Collects the URLs a page loads as script, style, font or icon."""

    RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "prefetch"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and self.RELS & set((attrs.get("rel") or "").lower().split()):
            self.urls.append(attrs.get("href") or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(_css_urls(data))


def _css_urls(css: str) -> list[str]:
    found = re.findall(r"""url\(\s*['"]?([^'")\s]+)""", css)
    return found + re.findall(r"""@import\s+['"]([^'"]+)""", css)


def third_party_loads(html: str) -> list[str]:
    """The URLs in ``html`` that load a script, style, font or icon from another origin."""
    parser = _Loads()
    parser.feed(html)
    return [url for url in parser.urls if re.match(r"(?i)(https?:)?//", url)]


def _set_mathjax_path(app, config):
    if not config.mathjax_path or re.match(r"(?i)(https?:)?//", config.mathjax_path):
        config.mathjax_path = LOCAL_MATHJAX


def _copy_on_builder_inited(app):
    if app.builder.format == "html":
        copy_mathjax(Path(app.outdir) / "_static", mathjax_source())


def _check_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in sorted(Path(app.outdir).rglob("*.html")):
        for url in third_party_loads(page.read_text(encoding="utf-8")):
            logger.warning("%s loads %s from another origin (the site must work offline; "
                           "see tools/offline_assets.py)", page.relative_to(app.outdir), url)


def setup(app):
    app.connect("config-inited", _set_mathjax_path, priority=900)
    app.connect("builder-inited", _copy_on_builder_inited)
    app.connect("build-finished", _check_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

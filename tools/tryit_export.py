"""Sphinx extension: ship chapter 6's trained model with the "Try it" page (tryit.md).

Loaded from _config.yml (``sphinx: local_extensions: {tryit_export: tools/}``).

The chapter calls ``rnncourse.tryit.publish_model(reviewer, ...)``, which displays a
one-line summary whose output metadata holds the model under ``"rnncourse.tryit"`` (the
page's files; ``rnncourse/tryit.py`` documents them). myst-nb shows only that line on
the site, and writes every notebook it reads, executed or restored from the
jupyter-cache, to ``_build/jupyter_execute/<docname>.ipynb`` (but a notebook restored
from the cache without its outputs). So the model survives a cached build: this extension
reads the output from that copy at the end of the build, or from the cache itself where
the copy is gone or empty, and writes its files into ``_build/html/_static/tryit/``.
Nothing comes from a CDN. It also adds the page's script and style (``tools/tryit/``) to
the page, and only to it.

If the page is in the book but no notebook of the book holds the export, the build
warns (an error under ``-W``): the page would show "the model could not be loaded".
Set ``tryit_require_model: false`` in the Sphinx config to allow that (drafts).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from sphinx.util import logging

ASSETS = Path(__file__).resolve().parent / "tryit"
METADATA_KEY = "rnncourse.tryit"  # rnncourse.tryit.METADATA_KEY
FILES = ("model.json", "weights.bin", "proof.json")  # rnncourse.tryit.FILES
TARGET = ("_static", "tryit")

logger = logging.getLogger(__name__)


def find_exports(notebook: dict) -> list[dict]:
    """Every Try it export among a notebook's outputs (a parsed .ipynb), in order."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            value = output.get("metadata", {}).get(METADATA_KEY)
            if value is not None:
                found.append(json.loads(value) if isinstance(value, str) else value)
    return found


def write_files(bundle: dict, folder: Path) -> dict[str, int]:
    """Write the export's files into ``folder``; return their sizes in bytes."""
    missing = [name for name in FILES if name not in bundle]
    if missing:
        raise ValueError(f"the Try it export lacks {', '.join(missing)}")
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name in FILES:
        value = bundle[name]
        if name.endswith(".bin"):
            content = base64.b64decode(value, validate=True)
        else:
            content = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        (folder / name).write_bytes(content)
        sizes[name] = len(content)
    return sizes


def _executed_notebooks(app):
    """``(docname, parsed notebook)`` of every executed notebook of the book.

    First myst-nb's copy in ``jupyter_execute/``; then, where that copy is gone or holds
    no outputs, the execution cache's outputs for the notebook's current source (matched
    by code, as myst-nb matches them). myst-nb 1.4 writes a notebook restored from the
    cache to ``jupyter_execute/`` without its outputs, so in ``make test`` (where nbval
    fills the cache) the cache is where the export is.
    """
    folder = Path(app.outdir).parent / "jupyter_execute"
    for docname in sorted(app.env.found_docs):
        path = folder.joinpath(*(docname + ".ipynb").split("/"))
        source = _source_file(app, docname)
        try:
            copy = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            if copy is not None and _has_outputs(copy):
                yield docname, copy
            elif source is not None:
                cached = _cached_notebook(app, source)
                if cached is not None:
                    yield docname, cached
        except (OSError, ValueError) as error:
            logger.warning(f"tryit: cannot read the executed {docname}: {error}")


def _source_file(app, docname: str) -> Path | None:
    """The notebook source of ``docname``: a MyST ``.md`` notebook or an ``.ipynb``."""
    for suffix in (".md", ".ipynb"):
        path = Path(app.srcdir).joinpath(*(docname + suffix).split("/"))
        if path.is_file():
            return path
    return None


def _has_outputs(notebook: dict) -> bool:
    return any(cell.get("outputs") for cell in notebook.get("cells", []))


def _cached_notebook(app, source: Path) -> dict | None:
    cache_path = (getattr(app.config, "nb_execution_cache_path", "")
                  or str(Path(app.outdir).parent / ".jupyter_cache"))
    if not Path(cache_path).is_dir():
        return None
    import nbformat
    import notebook_files  # tools/, on the path as a local extension's folder
    from jupyter_cache import get_cache
    from jupyter_cache.base import CachingError, RetrievalError

    cache = get_cache(cache_path)
    try:
        # A plain Markdown page is not a notebook: it has no cached outputs.
        notebook = notebook_files.read(source)
    except notebook_files.NotebookFileError:
        return None
    try:
        record = cache.match_cache_notebook(notebook)
    except (KeyError, CachingError, RetrievalError):
        return None
    return json.loads(nbformat.writes(cache.get_cache_bundle(record.pk).nb))


def _export(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    page = app.config.tryit_page
    if page not in app.env.found_docs:
        return
    exports = []
    for docname, notebook in _executed_notebooks(app):
        exports += [(docname, bundle) for bundle in find_exports(notebook)]
    if not exports:
        message = (f"tryit: no notebook of the book published the model for '{page}' "
                   f"(rnncourse.tryit.publish_model); the page cannot run")
        if app.config.tryit_require_model:
            logger.warning(message)
        else:
            logger.info(message)
        return
    if len({docname for docname, _ in exports}) > 1 or len(exports) > 1:
        logger.warning(f"tryit: {len(exports)} exports found "
                       f"({', '.join(d for d, _ in exports)}); the page uses the last one")
    docname, bundle = exports[-1]
    target = Path(app.outdir).joinpath(*TARGET)
    sizes = write_files(bundle, target)
    logger.info(f"tryit: model of {docname} written to {target} "
                f"({', '.join(f'{n} {s / 1e6:.2f} MB' for n, s in sizes.items())})")


def _page_assets(app, pagename, templatename, context, doctree):
    if pagename == app.config.tryit_page:
        app.add_css_file("tryit.css")
        app.add_js_file("tryit.js", defer="defer")


def _static_path(app, config):
    config.html_static_path.append(str(ASSETS))


def setup(app):
    app.add_config_value("tryit_page", "tryit", "html")
    app.add_config_value("tryit_require_model", True, "html")
    app.connect("config-inited", _static_path)
    app.connect("html-page-context", _page_assets)
    app.connect("build-finished", _export)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx extension: fixes to the built site that the browser checks in tests/site need.

Loaded from _config.yml (``sphinx: local_extensions: {book_fixes: tools/}``). Each fix
is for a problem a reader meets, found by tests/site; each names the upstream code, the
upstream fix where there is one, and applies only while the installed version still
has the problem (``needed()``; tests/package/test_book_fixes.py pins each case).

1. Inline scripts written twice (a JavaScript error on every page). Sphinx 7.4 writes
   every inline script (a body, no file) that an extension registers after the builder
   started twice: once from the builder (file name ``None``) and once from the registry
   (file name ``""``), which it fails to recognise as the same script
   (sphinx/builders/html/__init__.py, ``prepare_writing``). sphinx-thebe's
   ``const THEBE_JS_URL = ...`` then throws "Identifier 'THEBE_JS_URL' has already been
   declared". We drop the second copy before the pages are written. Fixed upstream by
   Sphinx PR #13402 ("Ensure inline <script> tags are written exactly once"), released in
   Sphinx 8.2.2; skipped there and later. Jupyter Book 1.x keeps Sphinx below 8.
2. Hidden code cells: myst-nb writes ``<summary aria-label="Toggle hidden content">``
   around the visible text "Show code cell source", so a screen reader announces
   something other than what is shown, and speech control ("click show code cell
   source") misses it (axe-core: label-content-name-mismatch, WCAG 2.5.3). We write the
   same ``<summary>`` without the label: its name is its visible text. No upstream fix:
   myst-nb 1.4.0 (myst_nb/sphinx_.py, ``visit_HideCellInput``) still writes the label; the
   fix is skipped once that function no longer does.
3. Bibliography: docutils puts each reference in ``<div role="doc-biblioentry">`` inside a
   ``role="list"`` container. doc-biblioentry is deprecated and is not a list item, so
   the list has no items for assistive technology (axe-core: aria-required-children,
   critical). We write ``role="listitem"``. No upstream fix: docutils' HTML writer
   (docutils/writers/_html_base.py, ``visit_citation``) still writes doc-biblioentry on
   its development branch of July 2026; the fix is skipped once it no longer does.
4. Theme buttons (search, colour mode): the templates in tools/book_templates/ override
   pydata-sphinx-theme's two components; each template says why and what it keeps.
5. Launch buttons (Colab, Binder) of a MyST notebook page: sphinx-book-theme
   (header_buttons/launch.py, ``add_launch_buttons``) links the source's own suffix,
   ``chapters/ch01_recurrent_loop.md``, unless an ``.ipynb`` of the same name lies beside
   the source. The buttons open the learner branch, which holds the Jupyter notebooks
   (``make learner``), so we point them at ``<page>.ipynb``. A course choice, not an
   upstream bug: always applied.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes

TEMPLATES = Path(__file__).resolve().parent / "book_templates"


def _script_key(script) -> tuple:
    return (getattr(script, "filename", None) or "", getattr(script, "priority", None),
            tuple(sorted(getattr(script, "attributes", {}).items())))


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    builder = app.builder
    for name in ("_orig_js_files", "_js_files"):
        scripts = getattr(builder, name, None)
        if not scripts:
            continue
        seen, unique = set(), []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique  # in place: the page context holds this very list


def _visit_hidden_cell(self, node):
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def _depart_hidden_cell(self, node):
    self.body.append("</details>\n")


def _visit_citation(self, node):
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def _depart_citation(self, node):
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def _add_templates(app, config):
    config.templates_path.insert(0, str(TEMPLATES))


def needed() -> dict[str, bool]:
    """Which fixes the installed Sphinx, myst-nb and docutils still need."""
    import inspect

    import sphinx
    from myst_nb.sphinx_ import visit_HideCellInput
    from sphinx.writers.html5 import HTML5Translator

    return {
        "duplicate inline scripts": sphinx.version_info < (8, 2, 2),  # Sphinx PR #13402
        "hidden cell label": "aria-label" in inspect.getsource(visit_HideCellInput),
        "bibliography role": "doc-biblioentry" in inspect.getsource(
            HTML5Translator.visit_citation),
    }


def _launch_the_learner_notebook(app, pagename, templatename, context, doctree):
    """Point the page's Colab and Binder buttons at ``<page>.ipynb`` (fix 5)."""
    launch = app.config["html_theme_options"].get("launch_buttons", {})
    hosts = tuple(url.rstrip("/") for url in (launch.get("colab_url"),
                                              launch.get("binderhub_url")) if url)
    source = f"/{pagename}.md"
    for button in _all_buttons(context.get("header_buttons", [])):
        url = button.get("url", "")
        if hosts and url.startswith(hosts) and url.endswith(source):
            button["url"] = url[:-len(".md")] + ".ipynb"


def _all_buttons(buttons):
    for button in buttons:
        if isinstance(button, dict):
            yield button
            yield from _all_buttons(button.get("buttons", []))


def setup(app):
    app.setup_extension("myst_nb")
    from myst_nb.sphinx_ import HideCodeCellNode

    fixes = needed()
    app.connect("config-inited", _add_templates)
    # After sphinx-book-theme's add_launch_buttons (priority 501) built the buttons.
    app.connect("html-page-context", _launch_the_learner_notebook, priority=502)
    if fixes["duplicate inline scripts"]:
        # Before other handlers of the page context, so they see the cleaned list.
        app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    if fixes["hidden cell label"]:
        app.add_node(HideCodeCellNode, override=True,
                     html=(_visit_hidden_cell, _depart_hidden_cell))
    if fixes["bibliography role"]:
        app.add_node(nodes.citation, override=True,
                     html=(_visit_citation, _depart_citation))
    return {"parallel_read_safe": True, "parallel_write_safe": True}

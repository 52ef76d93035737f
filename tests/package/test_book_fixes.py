"""tools/book_fixes.py: each fix works, and is applied only while upstream needs it.

A small Sphinx project (a citation, an inline script added after the builder started, a
notebook cell with hidden input) is built twice in a subprocess: without the extension
the upstream problems show (exactly those that ``book_fixes.needed()`` reports), and with
it they are gone. When an upgrade fixes one upstream, the first build says so.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import book_fixes  # noqa: E402

CONF = """
import sys
sys.path.insert(0, {tools!r})
extensions = ["myst_nb"] + (["book_fixes"] if {fixes!r} else [])
nb_execution_mode = "off"
exclude_patterns = ["_build"]


def setup(app):
    # As sphinx-thebe does: an inline script registered once the builder has started.
    app.connect("builder-inited", lambda app: app.add_js_file(None, body="const ONCE = 1;"))
"""

INDEX = """
Test
====

.. toctree::

   page

See [CIT2002]_.

.. [CIT2002] A cited work.
"""


def notebook() -> str:
    cell = {"cell_type": "code", "execution_count": None, "id": "c1",
            "metadata": {"tags": ["hide-input"]}, "outputs": [], "source": "1 + 1"}
    title = {"cell_type": "markdown", "id": "t1", "metadata": {}, "source": "# Page"}
    return json.dumps({"cells": [title, cell], "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5})


def build(tmp_path: Path, with_fixes: bool) -> dict[str, str]:
    source = tmp_path / ("fixed" if with_fixes else "plain")
    source.mkdir()
    (source / "conf.py").write_text(CONF.format(tools=str(ROOT / "tools"), fixes=with_fixes))
    (source / "index.rst").write_text(textwrap.dedent(INDEX))
    (source / "page.ipynb").write_text(notebook())
    out = source / "_build"
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(source),
                             str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return {name: (out / f"{name}.html").read_text() for name in ("index", "page")}


def problems(pages: dict[str, str]) -> dict[str, bool]:
    return {
        "duplicate inline scripts": pages["index"].count("const ONCE = 1;") > 1,
        "hidden cell label": 'aria-label="Toggle hidden content"' in pages["page"],
        "bibliography role": 'role="doc-biblioentry"' in pages["index"],
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("book_fixes")
    return build(tmp_path, with_fixes=False), build(tmp_path, with_fixes=True)


@pytest.mark.slow
def test_upstream_still_has_exactly_the_problems_that_are_fixed(builds):
    plain, _ = builds
    assert problems(plain) == book_fixes.needed(), (
        "an upgrade changed what upstream gets wrong: update tools/book_fixes.py")


def test_the_fixes_remove_the_problems(builds):
    _, fixed = builds
    assert not any(problems(fixed).values()), problems(fixed)
    assert fixed["index"].count("const ONCE = 1;") == 1
    if book_fixes.needed()["bibliography role"]:
        assert 'role="listitem"' in fixed["index"]
    assert "<summary>" in fixed["page"] and "Show code cell source" in fixed["page"]


def test_launch_buttons_of_a_myst_page_open_its_jupyter_copy():
    from types import SimpleNamespace

    launch = {"colab_url": "https://colab.research.google.com",
              "binderhub_url": "https://mybinder.org/"}
    app = SimpleNamespace(config={"html_theme_options": {"launch_buttons": launch}})
    colab = "https://colab.research.google.com/github/o/r/blob/b/chapters/ch01.md"
    binder = "https://mybinder.org/v2/gh/o/r/b?urlpath=lab/tree/chapters/ch01.md"
    other = "https://github.com/o/r/blob/main/chapters/ch01.md"  # the source button stays
    context = {"header_buttons": [
        {"type": "group", "buttons": [{"url": colab}, {"url": binder}]}, {"url": other}]}
    book_fixes._launch_the_learner_notebook(app, "chapters/ch01", "page.html", context, None)
    group, source = context["header_buttons"]
    assert [b["url"] for b in group["buttons"]] == [colab[:-3] + ".ipynb",
                                                   binder[:-3] + ".ipynb"]
    assert source["url"] == other

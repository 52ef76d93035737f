"""The book's pages work offline (tools/offline_assets.py), on a small book.

Built with the course's own _config.yml settings (its extensions, MathJax path, footer),
so the mechanism is what the full site uses; tests/site/test_offline.py checks the full
site after `make book`.
"""

from __future__ import annotations

import functools
import http.server
import threading

import offline_assets
import pytest
from offline_page import open_offline
from teacherbook import book_config, build_book

pytestmark = pytest.mark.slow

PAGE = """# Equations

Inline $h_t = \\tanh(W x_t + U h_{t-1} + b)$ and displayed:

$$
\\sigma(z) = \\frac{1}{1 + e^{-z}}
$$

\\begin{align}
c_t &= f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t
\\end{align}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (offline_assets.NODE_MODULES / "mathjax").is_dir():
        pytest.skip("MathJax is not installed: run `npm ci`")
    source = tmp_path_factory.mktemp("offline") / "book"
    build = build_book(source, {"intro.md": PAGE}, {"format": "jb-book", "root": "intro"},
                       book_config())
    return build / "html"


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_mathjax_is_served_from_the_site(site):
    page = (site / "intro.html").read_text(encoding="utf-8")
    assert 'src="_static/mathjax/tex-mml-chtml.js' in page
    assert (site / "_static/mathjax/output/chtml/fonts/woff-v2").is_dir()
    assert "cdn.jsdelivr" not in page


def test_no_page_loads_anything_from_another_origin(site):
    loads = {page.name: offline_assets.third_party_loads(page.read_text(encoding="utf-8"))
             for page in site.rglob("*.html")}
    assert not {name: urls for name, urls in loads.items() if urls}


def test_the_footer_names_both_licences(site):
    page = (site / "intro.html").read_text(encoding="utf-8")
    assert "MIT" in page and "creativecommons.org/licenses/by/4.0" in page


def test_the_check_finds_third_party_loads():
    html = ('<script src="https://cdn.example/x.js"></script>'
            '<link rel="stylesheet" href="//fonts.example/css">'
            '<style>@import "https://a.example/b.css"; x{background:url(https://c/d.woff)}</style>'
            '<a href="https://colab.research.google.com/x">Colab</a>'
            '<script src="_static/local.js"></script>')
    assert offline_assets.third_party_loads(html) == [
        "https://cdn.example/x.js", "//fonts.example/css", "https://c/d.woff",
        "https://a.example/b.css"]


def test_equations_are_typeset_with_the_network_cut(browser, base_url):
    seen = open_offline(browser, base_url + "intro.html", base_url)
    assert seen["spans"] >= 3, seen
    assert seen["typeset"] == seen["spans"], seen

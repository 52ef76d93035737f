"""No broken internal link, anchor or resource in the built site (tools/check_links.py).

External links are listed in ``_build/external-links.txt``, never fetched.
"""

from __future__ import annotations

import importlib.util
import sys

from sitebook import ROOT

_spec = importlib.util.spec_from_file_location("check_links", ROOT / "tools" / "check_links.py")
check_links = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("check_links", check_links)
_spec.loader.exec_module(check_links)


def test_no_broken_internal_links(site):
    report = check_links.check_site(site)
    listing = site.parent / "external-links.txt"
    listing.write_text("".join(f"{url}\t{len(pages)} pages\n"
                               for url, pages in sorted(report.external.items())),
                       encoding="utf-8")
    assert report.pages > 0 and report.internal > 0
    broken = "\n".join(f"{page}: {url} ({why})" for page, url, why in report.broken)
    assert not report.broken, f"{len(report.broken)} broken internal links:\n{broken}"


def _write(folder, name, html):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html><body>{html}</body></html>", encoding="utf-8")


def test_checker_finds_broken_links_and_anchors(tmp_path):
    """The checker itself: a small site with one of each kind of good and bad link."""
    _write(tmp_path, "index.html",
           '<a href="a/page.html#here">ok</a> <a href="#top">ok</a> <p id="top"></p>'
           '<a href="a/">ok: folder index</a> <img src="img.png">'
           '<a href="https://example.org/x">external</a> <a href="mailto:a@b.c">mail</a>'
           '<a href="missing.html">bad</a> <a href="a/page.html#nowhere">bad anchor</a>'
           '<a href="../outside.html">bad: outside</a> <a href="/abs.html">bad: absolute</a>'
           '<img src="gone.png">')
    _write(tmp_path, "a/page.html", '<h1 id="here">x</h1><a href="../index.html#top">ok</a>')
    _write(tmp_path, "a/index.html", "")
    (tmp_path / "img.png").write_bytes(b"\x89PNG")
    report = check_links.check_site(tmp_path)
    broken = {url: why for _, url, why in report.broken}
    assert set(broken) == {"missing.html", "a/page.html#nowhere", "../outside.html",
                           "/abs.html", "gone.png"}, broken
    assert "no anchor #nowhere" in broken["a/page.html#nowhere"]
    assert list(report.external) == ["https://example.org/x"]
    assert check_links.main([str(tmp_path)]) == 1

"""tools/check_links.py on small hostile sites: every bad link reported, none crashes it.

The checker of the real site runs in tests/site/test_site_links.py (it needs the book).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_links", ROOT / "tools" / "check_links.py")
check_links = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("check_links", check_links)
_spec.loader.exec_module(check_links)

GOOD = '<a href="page.html#here">good</a>'
MISSING = '<a href="missing.html">a plain broken link</a>'


def _site(folder: Path, links: str) -> Path:
    (folder / "index.html").write_text(
        f"<!doctype html><html><body>{GOOD}{links}{MISSING}</body></html>", encoding="utf-8")
    (folder / "page.html").write_text('<h1 id="here">x</h1>', encoding="utf-8")
    return folder


@pytest.mark.parametrize("link, reason", [
    ("a%00b.html", "NUL"),  # a NUL byte is in no file name
    ("x" * 300 + ".html", "too long"),  # over 255 bytes: no file system holds it
    ("dir/" + "y" * 256 + "/page.html", "too long"),
    ("%ff%fe.html", "no file"),  # not UTF-8 once decoded: still just a missing file
    ("page.html#%00", "no anchor"),
    ("http://[::1", "malformed URL"),  # urlsplit raises ValueError on an open bracket
])
def test_a_hostile_link_is_reported_and_the_others_still_checked(tmp_path, link, reason,
                                                                  capsys):
    site = _site(tmp_path, f'<a href="{link}">hostile</a>')
    report = check_links.check_site(site)
    broken = {url: why for _, url, why in report.broken}
    assert set(broken) == {link, "missing.html"}, broken
    assert reason in broken[link], broken[link]
    assert check_links.main([str(site)]) == 1
    out = capsys.readouterr().out
    assert "missing.html" in out and "2 broken" in out


def test_a_file_name_over_255_bytes_in_the_site_does_not_stop_the_check(tmp_path):
    # Several hostile links on one page, and links in a srcset: each reported once.
    links = ('<img srcset="%00.png 1x, ok.png 2x">'
             + "".join(f'<a href="{"z" * n}.html#a">long</a>' for n in (250, 251, 400)))
    site = _site(tmp_path, links)
    (site / "ok.png").write_bytes(b"\x89PNG")
    report = check_links.check_site(site)
    broken = sorted(url for _, url, _ in report.broken)
    assert broken == sorted(["%00.png", "z" * 250 + ".html#a", "z" * 251 + ".html#a",
                             "z" * 400 + ".html#a", "missing.html"])


def test_a_link_into_a_symlink_loop_or_a_path_too_long_is_reported(tmp_path):
    # pathlib raises RuntimeError (not OSError) on a symlink loop before Python 3.13,
    # and a path of short names can still pass the 4096-byte limit of the whole path.
    site = _site(tmp_path, '<a href="loop1/x.html">loop</a>'
                           f'<a href="{"a/" * 3000}x.html">deep</a>')
    (site / "loop1").symlink_to("loop2")
    (site / "loop2").symlink_to("loop1")
    broken = {url: why for _, url, why in check_links.check_site(site).broken}
    assert set(broken) == {"loop1/x.html", "a/" * 3000 + "x.html", "missing.html"}, broken
    assert "cannot be a file of the site" in broken["loop1/x.html"]

"""Check every internal link, anchor and resource of the built site, offline.

Parses every HTML file under the site folder (default ``_build/html``) and resolves each
``href``/``src`` against the built files: the target file must exist inside the site, and
a ``#fragment`` must name an ``id`` (or ``<a name>``) in the target page. External links
(``http:``, ``https:``, ``//host``) are listed, never fetched.

Usage::

    python tools/check_links.py [SITE_DIR] [--external]

Exit status 0 when nothing is broken, 1 otherwise (each broken link is printed as
``page: url (reason)``). ``--external`` also prints every external URL and how many
pages link to it.

Why not a maintained checker: two were tried (2026-11-27) on this site, built with the
notebooks unexecuted, after planting six broken links in one chapter page (a missing
image and stylesheet, two anchors on other pages, one in the glossary, one on the same
page), and on the small broken site of tests/site/test_site_links.py:

- linkinator 7.6.1 (npm; ``--recurse --check-fragments``, its own static server, external
  links skipped with ``--skip``): found 4 of the 6 in one run and 5 in another (it missed
  anchors on pages it had already fetched, and not always the same ones), and named the
  wrong page as the source of each broken anchor.
- LinkChecker 10.6.0 (PyPI; ``file://`` start URL, ``[AnchorCheck]`` plugin): found 5 of
  the 6, missing the same-page ``#anchor``; it reports a missing anchor as a warning, not
  an error; it treats links that leave the site folder (``../outside.html``, and
  root-absolute ``/page.html``, broken on GitHub Pages under ``/REPOSITORY/``) as external
  and skips them; and it took 2 min 39 s where this script takes under 3 s.

This script found all 6, and every case of the small site.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Attributes that point at another file or anchor, by element.
LINK_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),  # inline SVG
    "use": ("href", "xlink:href"),
}
# Schemes that are neither files of the site nor web pages to list.
IGNORED_SCHEMES = {"mailto", "javascript", "data", "tel", "blob", "about"}
EXTERNAL_SCHEMES = {"http", "https", "ftp"}
# <link rel=...> values that name no resource (hints to the browser).
HINT_RELS = {"preconnect", "dns-prefetch"}
# Folders of the site whose .html files are not pages: the themes copy their Jinja macro
# files (e.g. _static/webpack-macros.html, unrendered templates) into _static.
NOT_PAGES = ("_static/",)
# The longest file or folder name (in bytes) that Linux, macOS and Windows file systems hold.
MAX_NAME_BYTES = 255


@dataclass
class Page:
    """What one HTML file defines (anchors) and references (links)."""

    anchors: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)  # (tag.attribute, url)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.page.anchors.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.page.anchors.add(attributes["name"])
        if tag == "link" and set((attributes.get("rel") or "").split()) & HINT_RELS:
            return
        for name in LINK_ATTRIBUTES.get(tag, ()):
            value = attributes.get(name)
            if value is not None:
                self.page.links.append((f"{tag}.{name}", value.strip()))
        if tag in ("img", "source") and attributes.get("srcset"):
            for candidate in attributes["srcset"].split(","):
                if candidate.strip():
                    self.page.links.append((f"{tag}.srcset", candidate.split()[0]))

    handle_startendtag = handle_starttag


def parse_page(path: Path) -> Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    collector.close()
    return collector.page


@dataclass
class Report:
    pages: int = 0
    internal: int = 0
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # (page, url, why)
    external: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def check_site(site: Path) -> Report:
    """Check every HTML file under ``site``; return what was found."""
    site = site.resolve()
    files = sorted(path for path in site.rglob("*.html")
                   if not path.relative_to(site).as_posix().startswith(NOT_PAGES))
    pages = {path: parse_page(path) for path in files}
    report = Report(pages=len(pages))
    for path, page in pages.items():
        relative = path.relative_to(site).as_posix()
        for _, url in page.links:
            problem = _check_link(site, path, url, pages, report)
            if problem:
                report.broken.append((relative, url, problem))
    return report


def _check_link(site: Path, source: Path, url: str, pages: dict, report: Report) -> str | None:
    """None when ``url`` (found in ``source``) is fine or external, else the reason."""
    if url in ("", "#"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. "http://[::1": an unclosed IPv6 bracket
        return f"malformed URL: {error}"
    scheme = parts.scheme.lower()
    if scheme in IGNORED_SCHEMES:
        return None
    if scheme in EXTERNAL_SCHEMES or url.startswith("//"):
        report.external[url].add(source.relative_to(site).as_posix())
        return None
    if scheme:
        return f"unknown scheme {scheme!r}"
    report.internal += 1
    path = unquote(parts.path)
    unusable = _unusable_path(path)
    if unusable:
        return unusable
    try:
        target = _target_file(source, path)
        if target is None:
            return "absolute path: breaks when the site is served from a sub-folder"
        if not target.is_relative_to(site):
            return "points outside the site"
        if not target.is_file():
            return f"no file {target.relative_to(site).as_posix()}"
    # Whatever the file system refuses is broken; pathlib (before Python 3.13) raises
    # RuntimeError for a symlink loop.
    except (OSError, ValueError, RuntimeError) as error:
        return f"cannot be a file of the site: {error}"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html":
        anchors = pages[target].anchors if target in pages else parse_page(target).anchors
        if fragment not in anchors:
            return f"no anchor #{fragment} in {target.relative_to(site).as_posix()}"
    return None


def _unusable_path(path: str) -> str | None:
    """Why no file of any site can have the (decoded) ``path``, or None.

    Checked before the file system sees the path: ``os`` raises ``ValueError`` on a NUL
    byte and ``OSError`` (ENAMETOOLONG) on a name over 255 bytes.
    """
    if "\0" in path:
        return "a NUL byte (%00) in the path: no file name can hold it"
    for part in path.split("/"):
        size = len(part.encode("utf-8", "surrogateescape"))
        if size > MAX_NAME_BYTES:
            return (f"a file or folder name too long ({size} bytes; file systems allow "
                    f"{MAX_NAME_BYTES})")
    return None


def _target_file(source: Path, path: str) -> Path | None:
    """The file a decoded link path names from ``source``; None for a root-absolute path."""
    if not path:
        return source
    if path.startswith("/"):
        return None
    target = (source.parent / path).resolve()
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default="_build/html", type=Path)
    parser.add_argument("--external", action="store_true", help="list external links")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}/index.html not found: build the book first (make book)")
        return 1
    report = check_site(args.site)
    if args.external:
        for url, sources in sorted(report.external.items()):
            print(f"external  {url}  ({len(sources)} page{'s' * (len(sources) != 1)})")
    for page, url, why in report.broken:
        print(f"BROKEN  {page}: {url}  ({why})")
    print(f"{report.pages} pages, {report.internal} internal links checked, "
          f"{len(report.broken)} broken, {len(report.external)} external URLs (not fetched)")
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main())

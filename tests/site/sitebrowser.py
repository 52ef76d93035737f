"""A reader's browser tab for the site tests: visits pages, records what went wrong.

Used by the fixtures in conftest.py; kept here so that tests can import it by a name no
other module has.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sitebook import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The site loads MathJax 3 from a CDN. The tests answer those requests from the copy that
# `npm ci` installs, so that equations render, and are checked, without the network.
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
MATHJAX = (ROOT / "node_modules" / "mathjax").resolve()
SCREENSHOTS = Path(os.environ.get("SITE_SCREENSHOTS", ROOT / "_build" / "screenshots"))
BROWSER_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome",
                      "google-chrome-stable")
# The network is closed here, and the tests must not depend on it anywhere: everything
# not served from 127.0.0.1 is blocked (and listed per page). Flags keep Chromium from
# phoning home at start-up.
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}


def find_browser() -> str | None:
    for candidate in filter(None, (os.environ.get("SITE_BROWSER"), *BROWSER_CANDIDATES)):
        found = shutil.which(candidate)
        if found:
            return found
    return None


@dataclass
class Visit:
    """What a reader's browser saw on one page."""

    docname: str
    url: str
    status: int | None
    title: str
    h1: list[str]
    headings: int
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_external: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    equations: int = 0  # TeX spans on the page
    raw_equations: list[str] = field(default_factory=list)  # ... that MathJax left as TeX
    screenshot: Path | None = None
    axe: dict | None = None  # axe-core's result, once the accessibility test asked for it


class Reader:
    """One browser tab that visits pages, recording console errors and failed loads."""

    def __init__(self, browser, base_url: str, color_scheme: str = "light"):
        self.base_url = base_url
        self._suffix = "" if color_scheme == "light" else f"--{color_scheme}"
        self.context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce",
                                           color_scheme=color_scheme)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self._errors: list[str] = []
        self._failed: list[str] = []
        self._blocked: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self._errors.append(f"uncaught: {error}"))
        self.page.on("requestfailed", self._on_failed)
        self.page.on("response", self._on_response)
        self._visits: dict[str, Visit] = {}

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        elif url.startswith(MATHJAX_CDN) and MATHJAX.is_dir():
            local = (MATHJAX / urlsplit(url).path.split("/mathjax@3/", 1)[1]).resolve()
            if local.is_relative_to(MATHJAX) and local.is_file():
                route.fulfill(path=str(local))
            else:
                self._failed.append(f"{url}: not in the local MathJax copy")
                route.abort("failed")
        else:
            self._blocked.append(url)
            route.abort("blockedbyclient")

    def _on_console(self, message):
        if message.type != "error":
            return
        location = (message.location or {}).get("url", "")
        if location in self._blocked:
            return  # "Failed to load resource" for an external URL we blocked on purpose
        self._errors.append(f"{message.text} ({location})" if location else message.text)

    def _on_failed(self, request):
        if request.url not in self._blocked:
            self._failed.append(f"{request.url}: {request.failure}")

    def _on_response(self, response):
        if response.status >= 400:
            self._failed.append(f"{response.url}: HTTP {response.status}")

    def goto(self, url: str):
        """Open ``url``; return the main response (errors are collected, not raised)."""
        self._errors.clear()
        self._failed.clear()
        self._blocked.clear()
        response = self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return response

    def visit(self, docname: str) -> Visit:
        """Open a page of the book once per session; later calls return what was seen."""
        if docname in self._visits:
            return self._visits[docname]
        response = self.goto(self.base_url + docname + ".html")
        page = self.page
        equations, raw = page.evaluate(_EQUATIONS_JS)  # first: the screenshot shows them
        images = page.evaluate(_IMAGES_JS)
        visit = Visit(
            docname=docname, url=page.url, status=response.status if response else None,
            title=page.title(),
            h1=[t.strip() for t in page.locator("h1:visible").all_inner_texts()],
            headings=page.locator("article h1, article h2, article h3").count(),
            images=images, equations=equations, raw_equations=raw)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.screenshot = SCREENSHOTS / (docname.replace("/", "__") + self._suffix + ".png")
        page.screenshot(path=str(visit.screenshot))
        visit.console_errors = list(self._errors)
        visit.failed_requests = list(self._failed)
        visit.blocked_external = sorted(set(self._blocked))
        self._visits[docname] = visit
        return visit

    def show(self, docname: str) -> Visit:
        """Make the tab show ``docname`` (visiting it if need be); return the visit."""
        visit = self.visit(docname)
        if self.page.url != visit.url:
            self.goto(visit.url)
        return visit

    def axe(self, docname: str, axe_source: str, options: dict) -> dict:
        """axe-core's violations on a page (run once per page and session)."""
        visit = self.visit(docname)
        if visit.axe is None:
            self.show(docname)
            self.page.evaluate(_EQUATIONS_JS)  # check the typeset equations
            self.page.add_script_tag(content=axe_source)
            visit.axe = self.page.evaluate(
                "options => axe.run(document, options)", options)
        return visit.axe

    def close(self):
        self.context.close()


# The page's TeX spans, after MathJax has typeset them: [count, [those left as raw TeX]].
_EQUATIONS_JS = """
async () => {
  const spans = [...document.querySelectorAll('main .math')];
  if (!spans.length) return [0, []];
  for (let i = 0; i < 100 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(resolve => setTimeout(resolve, 50));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  return [spans.length, spans.filter(el => !el.querySelector('mjx-container'))
                             .map(el => el.textContent.trim())];
}
"""


# Every <img>: forced to load now (not lazily), then its size once it has loaded or failed.
_IMAGES_JS = """
async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.map(img => ({
    src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
    complete: img.complete, naturalWidth: img.naturalWidth}));
}
"""

"""Fixtures for the checks of the built website (`_build/html`).

The site tests read the book as a reader meets it: the built HTML served over http on
127.0.0.1 and opened in a real headless Chromium driven by Playwright, with axe-core
injected for the accessibility checks. Run them alone with ``pytest tests/site`` (or
``pytest -m site``) after ``make book``.

They skip, saying why, only when something outside Python is missing:
- the built site (``make book``), or
- the browser: Debian's ``chromium`` (``apt-get install -y chromium``); another
  Chromium-based browser can be named with ``SITE_BROWSER=/path/to/chrome``, or
- axe-core for the accessibility checks (``npm ci`` installs it into node_modules).

Every page visited is screenshotted into ``_build/screenshots/`` (``SITE_SCREENSHOTS``
names another folder).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from sitebook import ROOT, SITE
from sitebrowser import AXE, BROWSER_ARGS, Reader, find_browser


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "site: checks of the built website (run alone with `pytest tests/site`)")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.site)


def missing(reason: str):
    """Skip, saying why; in CI (SITE_CHECKS_REQUIRED=1) a missing tool is a failure."""
    if os.environ.get("SITE_CHECKS_REQUIRED"):
        pytest.fail(f"site checks are required here, but {reason}", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------------------
# The built site and an http server for it.

@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        missing(f"the book is not built ({SITE / 'index.html'} is missing): run `make book`")
    return SITE


@pytest.fixture(scope="session")
def base_url(site):
    """http://127.0.0.1:PORT/ serving the built site from a thread (search needs http)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------------------
# One headless Chromium for the whole session.

@pytest.fixture(scope="session")
def browser():
    executable = find_browser()
    if executable is None:
        missing("no Chromium found for the browser checks: install it with "
                    "`apt-get install -y chromium` (or set SITE_BROWSER=/path/to/chrome)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is pinned in requirements.txt
        missing("the Python package playwright is not installed (make venv)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def reader(browser, base_url):
    reader = Reader(browser, base_url)
    yield reader
    reader.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing(f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing): run `npm ci`")
    return AXE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# The learner notebooks (tools/learner_notebooks.py), generated from this build.

@pytest.fixture(scope="session")
def learner_notebooks(site, tmp_path_factory) -> Path:
    """A folder of learner notebooks quoting this build's values, as `make learner` writes."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import learner_notebooks as learner

    try:
        commit = learner.current_commit()
    except SystemExit:  # not a git checkout (an unpacked archive): any commit will do
        commit = "0" * 40
    out = tmp_path_factory.mktemp("learner")
    learner.generate(out, learner.BOOK_VALUES, commit, strict=True)
    return out

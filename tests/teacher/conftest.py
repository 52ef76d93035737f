"""Fixtures for the teacher's kit tests (issue 22)."""

from __future__ import annotations

import pytest
from teacherbook import find_browser


@pytest.fixture(scope="session")
def browser():
    executable = find_browser()
    if executable is None:
        pytest.skip("no Chromium: `apt-get install -y chromium` or SITE_BROWSER=/path")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update"])
        yield browser
        browser.close()

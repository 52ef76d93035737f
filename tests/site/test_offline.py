"""The built site works without the network (tools/offline_assets.py).

Unlike the other site tests, whose browser answers the MathJax CDN from node_modules,
these open pages with every request outside the site aborted, as a downloaded copy of the
site or a classroom without internet would, and scan every page for third-party loads.
"""

from __future__ import annotations

import sys

import pytest
from sitebook import ROOT, chapters

sys.path.insert(0, str(ROOT / "tools"))
import offline_assets  # noqa: E402

# The page's TeX spans once MathJax is done: [count, count typeset].
_EQUATIONS_JS = """
async () => {
  const spans = [...document.querySelectorAll('main .math')];
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(resolve => setTimeout(resolve, 50));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  return [spans.length, spans.filter(el => el.querySelector('mjx-container')).length];
}
"""


def test_no_page_loads_a_script_style_or_font_from_another_origin(site):
    loads = {str(page.relative_to(site)): offline_assets.third_party_loads(
        page.read_text(encoding="utf-8")) for page in site.rglob("*.html")}
    assert not {page: urls for page, urls in loads.items() if urls}


@pytest.mark.parametrize("docname", chapters()[:2])
def test_equations_are_typeset_with_the_network_cut(browser, base_url, docname):
    context = browser.new_context()
    blocked: list[str] = []

    def route(route):
        url = route.request.url
        if url.startswith((base_url, "data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto(f"{base_url}{docname}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        spans, typeset = page.evaluate(_EQUATIONS_JS)
    finally:
        context.close()
    assert spans > 0, f"{docname} has no equations to check"
    assert typeset == spans, (f"{spans - typeset} of {spans} equations left as TeX; "
                              f"blocked: {blocked}")

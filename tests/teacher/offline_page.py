"""Open a page with the network cut (everything but the page's own origin aborted)."""

from __future__ import annotations

# The page's TeX spans once MathJax is done: [count, count typeset]. Waits up to 10 s for
# MathJax to start (it never does if its script failed to load).
EQUATIONS_JS = """
async () => {
  const spans = [...document.querySelectorAll('main .math, .math')];
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(resolve => setTimeout(resolve, 50));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  return [spans.length, spans.filter(el => el.querySelector('mjx-container')).length];
}
"""


def open_offline(browser, url: str, origin: str) -> dict:
    """Load ``url`` aborting every request outside ``origin``; what the reader saw."""
    context = browser.new_context()
    blocked: list[str] = []

    def route(route):
        request_url = route.request.url
        if request_url.startswith(origin) or request_url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(request_url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        spans, typeset = page.evaluate(EQUATIONS_JS)
        fonts = page.evaluate("document.fonts.status")
    finally:
        context.close()
    return {"spans": spans, "typeset": typeset, "blocked": blocked, "fonts": fonts}

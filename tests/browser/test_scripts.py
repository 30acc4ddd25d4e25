"""No page of the built site throws or logs a JavaScript error, scrolled to the end."""

from __future__ import annotations

import pytest

from tests.browser.fixture_site import SUB_PATH, site_config

pytestmark = pytest.mark.browser

# Two animation frames: long enough for IntersectionObserver callbacks to run.
AFTER_LAYOUT_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def test_no_javascript_errors_on_any_page(static_site, open_tab):
    pages = sorted(
        SUB_PATH + path.relative_to(static_site.output).as_posix().removesuffix("index.html")
        for path in static_site.output.rglob("*.html")
        if path.name != "redirect.html"
    )
    assert len(pages) > 20
    tab = open_tab()
    for path in pages:
        response = tab.page.goto(static_site.url(path))
        assert response.status == 200, path
        tab.page.mouse.wheel(0, 20_000)
        tab.page.evaluate(AFTER_LAYOUT_JS)
    # The only requests that left 127.0.0.1 were to the services the site uses.
    hosts = {url.split("/")[2] for url in tab.blocked}
    assert hosts <= {f"{site_config()['disqus_shortname']}.disqus.com", "cse.google.com"}, hosts
    assert tab.errors == []

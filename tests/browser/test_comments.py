"""Disqus loads only when the reader reaches the comments, with the post's own URL and identifier."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.fixture_site import post_titled, site_config

pytestmark = pytest.mark.browser

# Call the page's disqus_config the way Disqus's embed.js does: with `this`
# being its config object.
CALL_DISQUS_CONFIG = """() => {
  const stub = {page: {}};
  window.disqus_config.call(stub);
  return stub.page;
}"""


def test_disqus_waits_for_the_reader_to_scroll_to_the_comments(static_site, open_tab):
    shortname = site_config()["disqus_shortname"]
    post = post_titled("Long lines")
    tab = open_tab()
    page = tab.page
    page.goto(static_site.url(post.path))
    page.wait_for_load_state("networkidle")

    thread = page.locator("#disqus_thread")
    viewport_height = page.viewport_size["height"]
    assert thread.bounding_box()["y"] > viewport_height + 200, "the fixture post must be longer than the screen"
    assert page.evaluate("typeof window.disqus_config") == "undefined"
    assert tab.blocked_matching("disqus.com") == []

    thread.scroll_into_view_if_needed()
    page.wait_for_function("typeof window.disqus_config === 'function'")
    settings = page.evaluate(CALL_DISQUS_CONFIG)
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    base = urlsplit(site_config()["base_url"])
    assert canonical == f"{base.scheme}://{base.netloc}{post.path}"
    assert settings["url"] == canonical
    assert settings["identifier"] == post.disqus_identifier
    assert settings["title"] == post.title

    embed = f"https://{shortname}.disqus.com/embed.js"
    # The blocked request reaches the route handler a moment after the script tag.
    for _ in range(100):
        if embed in tab.blocked:
            break
        page.wait_for_timeout(50)
    assert embed in tab.blocked
    assert tab.errors == []


def test_a_page_without_comments_never_contacts_disqus(static_site, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(static_site.url("/blog/about/"))
    page.mouse.wheel(0, 5000)
    page.wait_for_load_state("networkidle")
    assert page.locator("#disqus_thread").count() == 0
    assert page.evaluate("typeof window.disqus_config") == "undefined"
    assert tab.blocked_matching("disqus.com") == []

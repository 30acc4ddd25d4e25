"""The page fits a phone, and screenshots of the theme for a person to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.fixture_site import SUB_PATH, post_titled

pytestmark = pytest.mark.browser

PAGE_OVERFLOW_JS = """() => {
  const root = document.scrollingElement;
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth};
}"""


@pytest.mark.parametrize("path", [SUB_PATH, post_titled("Long lines").path], ids=["home", "long-code-post"])
def test_no_horizontal_scrolling_on_a_phone(static_site, open_tab, path):
    page = open_tab(viewport=PHONE, is_mobile=True).page
    page.goto(static_site.url(path))
    width = page.evaluate(PAGE_OVERFLOW_JS)
    assert width["clientWidth"] == PHONE["width"]
    assert width["scrollWidth"] <= width["clientWidth"], width


def test_long_code_lines_scroll_inside_their_block_on_a_phone(static_site, open_tab):
    page = open_tab(viewport=PHONE, is_mobile=True).page
    page.goto(static_site.url(post_titled("Long lines").path))
    block = page.locator(".post-body .highlight pre").first
    sizes = block.evaluate("pre => ({scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth})")
    # The line really is longer than the screen, and the block (not the page) scrolls.
    assert sizes["scrollWidth"] > PHONE["width"]
    assert sizes["clientWidth"] < PHONE["width"]
    assert block.evaluate("pre => getComputedStyle(pre).overflowX") in ("auto", "scroll")


@pytest.mark.parametrize(
    ("name", "viewport", "scheme"),
    [("desktop", DESKTOP, "light"), ("phone", PHONE, "light"), ("dark", DESKTOP, "dark")],
)
def test_screenshots(static_site, open_tab, name, viewport, scheme):
    """Saved in .artifacts/browser/ for a person to look at; the test checks they are real pictures."""
    tab = open_tab(viewport=viewport, color_scheme=scheme, is_mobile=viewport is PHONE)
    for page_name, path in (("home", SUB_PATH), ("post", post_titled("Long lines").path)):
        tab.page.goto(static_site.url(path))
        tab.page.wait_for_load_state("networkidle")
        saved = screenshot(tab.page, f"{page_name}-{name}")
        assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert saved.stat().st_size > 10_000
    assert tab.errors == []

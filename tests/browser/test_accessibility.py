"""Accessibility basics: language, landmarks, skip link, alt text, visible focus, contrast."""

from __future__ import annotations

import pytest

from tests.browser.colours import EFFECTIVE_COLOURS_JS, text_contrast
from tests.browser.conftest import DESKTOP
from tests.browser.fixture_site import SUB_PATH, post_titled, site_config

pytestmark = pytest.mark.browser

# WCAG 2 AA for body text.
MIN_CONTRAST = 4.5

PAGES = {
    "home": SUB_PATH,
    "post": post_titled("Long lines").path,
    "post-with-image": post_titled("trail map").path,
    "tag": f"{SUB_PATH}tags/python/",
    "archive": f"{SUB_PATH}archive/",
    "page": f"{SUB_PATH}about/",
}

FOCUS_STYLE_JS = """() => {
  const style = getComputedStyle(document.activeElement);
  return {
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    boxShadow: style.boxShadow,
  };
}"""


def focus_is_visible(style: dict) -> bool:
    outline = style["outlineStyle"] != "none" and style["outlineWidth"] >= 1
    return outline or style["boxShadow"] != "none"


@pytest.mark.parametrize("name", PAGES)
def test_language_landmarks_and_alt_text(static_site, open_tab, name):
    page = open_tab().page
    page.goto(static_site.url(PAGES[name]))

    assert page.locator("html").get_attribute("lang") == site_config()["language"]
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("navigation").count() >= 1
    assert page.get_by_role("contentinfo").count() == 1
    assert page.locator("h1").count() == 1
    images = page.locator("img")
    for index in range(images.count()):
        assert (images.nth(index).get_attribute("alt") or "").strip(), images.nth(index).evaluate("i => i.outerHTML")


def test_the_fixture_has_an_image_to_check(static_site, open_tab):
    page = open_tab().page
    page.goto(static_site.url(PAGES["post-with-image"]))
    image = page.locator(".post-body img")
    assert image.count() == 1
    # It loaded: an image that failed would have no natural size.
    assert image.evaluate("i => i.complete && i.naturalWidth") > 0


def test_the_skip_link_is_first_visible_on_focus_and_leads_to_main(static_site, open_tab):
    page = open_tab().page
    page.goto(static_site.url(PAGES["post"]))
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box["y"] + box["height"] <= 0, "hidden until focused"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"], "on screen when focused"
    assert focus_is_visible(page.evaluate(FOCUS_STYLE_JS))

    target = skip.get_attribute("href")
    assert target.startswith("#")
    assert page.locator(target).evaluate("element => element.tagName") == "MAIN"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == target


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focused_links_show_a_visible_focus_indicator(static_site, open_tab, scheme):
    page = open_tab(color_scheme=scheme).page
    page.goto(static_site.url())
    seen = 0
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") != "A":
            continue
        seen += 1
        assert focus_is_visible(page.evaluate(FOCUS_STYLE_JS)), page.evaluate("document.activeElement.outerHTML")
    assert seen >= 4


# Text a reader reads at length, and the smaller grey text around it.
TEXT_SELECTORS = [
    "body",
    ".post-body p",
    ".post-body a",
    ".post-body blockquote",
    ".post-header .tag",
    ".post-meta",
    ".site-nav a",
    ".site-footer",
    ".post-neighbours a",
    ".related a",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5_to_1(static_site, open_tab, scheme):
    page = open_tab(color_scheme=scheme).page
    page.goto(static_site.url(PAGES["post"]))
    low = []
    for selector in TEXT_SELECTORS:
        samples = page.locator(selector).evaluate_all(EFFECTIVE_COLOURS_JS)
        assert samples, f"nothing matches {selector}"
        for sample in samples:
            ratio = text_contrast(sample)
            if ratio < MIN_CONTRAST:
                low.append(f"{selector}: {sample['color']} on {sample['backgrounds'][:2]} = {ratio:.2f}:1")
    assert low == []


def test_contrast_differs_between_schemes_so_both_are_really_measured(static_site, open_tab):
    colours = {}
    for scheme in ("light", "dark"):
        page = open_tab(color_scheme=scheme).page
        page.goto(static_site.url(PAGES["post"]))
        (sample,) = page.locator("body").evaluate_all(EFFECTIVE_COLOURS_JS)
        colours[scheme] = (sample["color"], sample["backgrounds"][0])
    assert colours["light"] != colours["dark"]

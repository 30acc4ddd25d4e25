"""The built site as a reader uses it: lists, pagination, tags, search, code colours."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import DESKTOP
from tests.browser.fixture_site import SUB_PATH, all_posts, chunks, post_titled, published_posts, site_config

pytestmark = pytest.mark.browser

TITLES = ".post-summary-title a"


def listed_titles(page) -> list[str]:
    return [title.strip() for title in page.locator(TITLES).all_inner_texts()]


def test_home_lists_the_newest_posts_and_pagination_walks_through_the_rest(static_site, open_tab):
    per_page = site_config()["posts_per_page"]
    expected_pages = chunks([post.title for post in published_posts()], per_page)
    assert len(expected_pages) >= 2, "the fixture needs posts for at least two pages"
    page = open_tab().page

    page.goto(static_site.url())
    for number, titles in enumerate(expected_pages, start=1):
        assert urlsplit(page.url).path == (SUB_PATH if number == 1 else f"{SUB_PATH}page/{number}/")
        assert listed_titles(page) == titles
        assert page.locator(".pagination-current").inner_text() == f"Page {number} of {len(expected_pages)}"
        if number < len(expected_pages):
            page.locator(".pagination a[rel=next]").click()
    assert page.locator(".pagination a[rel=next]").count() == 0

    # And back again, to the home page itself rather than /page/1/.
    for _ in expected_pages[1:]:
        page.locator(".pagination a[rel=prev]").click()
    assert urlsplit(page.url).path == SUB_PATH
    assert listed_titles(page) == expected_pages[0]


def test_drafts_and_future_posts_are_not_in_the_built_site(static_site, open_tab):
    page = open_tab().page
    page.goto(static_site.url(f"{SUB_PATH}archive/"))
    archived = {link.strip() for link in page.locator("main a").all_inner_texts()}
    published = {post.title for post in published_posts()}
    hidden = [post for post in all_posts() if post.title not in published]
    assert hidden, "the fixture needs a draft and a future post"
    assert published <= archived
    assert not archived & {post.title for post in hidden}
    assert page.locator(".badge").count() == 0


def test_a_tag_link_leads_to_that_tags_pages(static_site, open_tab):
    per_page = site_config()["posts_per_page"]
    tagged = [post.title for post in published_posts() if "python" in post.tags]
    expected_pages = chunks(tagged, per_page)
    assert len(expected_pages) == 2, "the fixture's python tag needs two pages"
    page = open_tab().page
    page.goto(static_site.url())

    page.locator(".post-summary .tag-list a", has_text="python").first.click()
    assert urlsplit(page.url).path == f"{SUB_PATH}tags/python/"
    assert listed_titles(page) == expected_pages[0]
    page.locator(".pagination a[rel=next]").click()
    assert urlsplit(page.url).path == f"{SUB_PATH}tags/python/page/2/"
    assert listed_titles(page) == expected_pages[1]

    # A post title on a tag page leads to the post, whose own tag list has the tag.
    page.locator(TITLES).first.click()
    post = post_titled(expected_pages[1][0])
    assert urlsplit(page.url).path == post.path
    assert page.locator("h1").inner_text() == post.title
    assert "python" in page.locator(".post-header .tag-list a").all_inner_texts()


def test_the_tag_index_links_every_tag(static_site, open_tab):
    tags = sorted({tag for post in published_posts() for tag in post.tags})
    page = open_tab().page
    page.goto(static_site.url(f"{SUB_PATH}tags/"))
    links = page.locator("main a.tag")
    assert sorted(links.all_inner_texts()) == tags
    for tag in tags:
        page.goto(static_site.url(f"{SUB_PATH}tags/"))
        page.locator("main a.tag", has_text=tag).first.click()
        assert urlsplit(page.url).path == f"{SUB_PATH}tags/{tag}/"
        assert page.locator("h1").inner_text() == f"Posts tagged “{tag}”"


def test_the_search_box_takes_the_reader_to_the_search_page(static_site, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(static_site.url())
    page.get_by_role("searchbox", name="Search this site").fill("sqlite & caches")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    address = urlsplit(page.url)
    assert address.path == f"{SUB_PATH}search/"
    assert parse_qs(address.query) == {"q": ["sqlite & caches"]}
    assert page.locator("h1").inner_text() == "Search"
    # The results come from Google's script, which the test blocks: it was asked for.
    assert tab.blocked_matching("cse.google.com/cse.js")


def code_colours(page) -> set[str]:
    return set(
        page.locator(".post-body .highlight pre span").evaluate_all(
            "spans => spans.filter(s => s.textContent.trim()).map(s => getComputedStyle(s).color)"
        )
    )


def background(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("element => getComputedStyle(element).backgroundColor")


def test_code_is_highlighted_in_several_colours(static_site, open_tab):
    page = open_tab().page
    page.goto(static_site.url(post_titled("SQLite").path))
    assert page.locator(".post-body .highlight pre span").count() > 10
    assert len(code_colours(page)) >= 4


def test_dark_scheme_changes_the_page_and_the_code(static_site, open_tab):
    url = static_site.url(post_titled("SQLite").path)
    light = open_tab(viewport=DESKTOP, color_scheme="light").page
    dark = open_tab(viewport=DESKTOP, color_scheme="dark").page
    light.goto(url)
    dark.goto(url)

    assert background(light, "body") != background(dark, "body")
    assert background(light, ".highlight") != background(dark, ".highlight")
    assert len(code_colours(dark)) >= 4
    assert code_colours(light) != code_colours(dark)
    # The same page switches when the reader's preference changes.
    light.emulate_media(color_scheme="dark")
    assert background(light, "body") == background(dark, "body")

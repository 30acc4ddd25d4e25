"""Search with Pagefind in Chromium: the built site served under /blog/, the
site built again with a new post, and the live preview. Every request to a
host other than 127.0.0.1 is blocked and recorded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import serve_folder
from tests.browser.preview_server import start_preview
from tests.conftest import FIXTURES, run_build
from tests.test_search_index import shard_fragments

pytestmark = pytest.mark.browser

FIXTURE = FIXTURES / "search"
SUB_PATH = "/blog/"
# A word in the body of exactly one post of the fixture, and that post.
ONE_POST_WORD = "quokka"
ONE_POST_TITLE = "Parsing logs without regular expressions"
ONE_POST_PATH = "2024/03/parsing-logs/"
# Milliseconds to wait for results: the first search loads Pagefind's
# WebAssembly, slow on a busy machine.
SEARCH_WAIT = 30_000
NEW_POST = """---
title: Watching narwhals
tags: [Sailing]
---
Off the coast a narwhal surfaced twice, then went under for good.
"""


@dataclass
class SearchSite:
    origin: str
    content: Path
    output: Path
    cache: Path

    def url(self, path: str = "") -> str:
        return self.origin + SUB_PATH + path

    def build(self) -> None:
        result = run_build(self.content, self.output, self.cache)
        assert result.ok, result.process.stderr


@contextmanager
def served_site(tmp_path: Path, posts: dict[str, str] | None = None) -> Iterator[SearchSite]:
    """A copy of the fixture with ``posts`` (file name -> text) added, built and
    served under /blog/ as its base_url says."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    for name, text in (posts or {}).items():
        (content / "posts" / name).write_text(text)
    served = tmp_path / "served"
    site = SearchSite("", content, served / SUB_PATH.strip("/"), tmp_path / "cache")
    site.build()
    server, site.origin = serve_folder(served)
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def search_site(tmp_path) -> Iterator[SearchSite]:
    with served_site(tmp_path) as site:
        yield site


def live_results(page: Page):
    return page.locator(".search-live .search-hits a")


def page_results(page: Page):
    return page.locator("#search-results .search-hits a")


def test_a_word_of_one_post_shows_that_post_as_the_reader_types(search_site, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(search_site.url())
    # Set on this document: still there only if no other page was loaded.
    page.evaluate("window.searchTestMark = 'same page'")
    page.locator("#search-q").press_sequentially(ONE_POST_WORD, delay=20)
    expect(live_results(page)).to_have_count(1, timeout=SEARCH_WAIT)
    expect(live_results(page)).to_have_text(ONE_POST_TITLE, timeout=SEARCH_WAIT)
    assert live_results(page).get_attribute("href") == SUB_PATH + ONE_POST_PATH
    expect(page.locator(".search-live mark")).to_have_text(ONE_POST_WORD, timeout=SEARCH_WAIT)
    assert page.evaluate("window.searchTestMark") == "same page"
    assert page.url == search_site.url()
    live_results(page).click()
    page.wait_for_url(search_site.url(ONE_POST_PATH))
    expect(page.locator("h1")).to_have_text(ONE_POST_TITLE, timeout=SEARCH_WAIT)
    assert tab.blocked == []
    assert tab.errors == []


def test_a_tag_filter_typed_or_chosen_narrows_the_results(search_site, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(search_site.url())
    page.locator("#search-q").press_sequentially("tag:baking", delay=20)
    expect(live_results(page)).to_have_text(["A weekday loaf"], timeout=SEARCH_WAIT)

    page.goto(search_site.url("search/"))
    box = page.locator("#search-page-q")
    box.press_sequentially("tag:Sailing", delay=20)
    expect(page_results(page)).to_have_count(2, timeout=SEARCH_WAIT)
    page.locator("#search-sort").select_option("newest")
    expect(page_results(page)).to_have_text(["Three knots worth knowing", "Reading tide tables"], timeout=SEARCH_WAIT)

    box.fill("")
    page.locator("#search-tag").select_option("Python")
    expect(page_results(page)).to_have_count(2, timeout=SEARCH_WAIT)
    assert sorted(page_results(page).all_inner_texts()) == [ONE_POST_TITLE, "Reading tide tables"]
    box.press_sequentially("harbour", delay=20)
    expect(page_results(page)).to_have_text(["Reading tide tables"], timeout=SEARCH_WAIT)
    assert tab.blocked == []
    assert tab.errors == []


def test_enter_opens_the_search_page_with_google_after_the_results(search_site, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(search_site.url())
    page.locator("#search-q").press_sequentially("harbour", delay=20)
    page.locator("#search-q").press("Enter")
    page.wait_for_url("**/search/?q=harbour*")
    expect(page_results(page)).to_have_text(["Reading tide tables"], timeout=SEARCH_WAIT)
    google = page.get_by_role("link", name="Search the web with Google")
    expect(google).to_have_attribute(
        "href", "https://www.google.com/search?q=harbour+site%3Asearch.example.org%2Fblog", timeout=SEARCH_WAIT
    )
    # The Google link comes after the results.
    assert page.evaluate(
        "() => Boolean(document.getElementById('search-results').compareDocumentPosition("
        "document.getElementById('search-web')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert tab.blocked == []
    assert tab.errors == []


def test_without_javascript_the_form_searches_the_site_with_google(search_site, browser):
    context = browser.new_context(java_script_enabled=False)
    blocked = []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.goto(search_site.url())
        page.locator("#search-q").fill("harbour")
        page.locator("#search-q").press("Enter")
        page.wait_for_timeout(500)
    finally:
        context.close()
    (search,) = blocked
    parts = urlsplit(search)
    assert (parts.hostname, parts.path) == ("www.google.com", "/search")
    assert parse_qs(parts.query) == {"q": ["harbour"], "sitesearch": ["search.example.org/blog"]}


def test_a_post_added_and_built_again_is_found(search_site, open_tab):
    (search_site.content / "posts" / "2024-05-01-narwhals.md").write_text(NEW_POST)
    search_site.build()
    tab = open_tab()
    page = tab.page
    page.goto(search_site.url())
    page.locator("#search-q").press_sequentially("narwhal", delay=20)
    expect(live_results(page)).to_have_text(["Watching narwhals"], timeout=SEARCH_WAIT)
    assert live_results(page).get_attribute("href") == SUB_PATH + "2024/05/narwhals/"
    assert tab.blocked == []
    assert tab.errors == []


def test_the_preview_finds_posts_and_a_post_saved_since(tmp_path, open_tab):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    server = start_preview(content, tmp_path / "cache")
    try:
        # Not blocked: routing stalls the live reload's shared worker. What
        # the page asked for is checked instead.
        tab = open_tab(block=False)
        page = tab.page
        page.goto(server.origin + "/")
        page.locator("#search-q").press_sequentially(ONE_POST_WORD, delay=20)
        expect(live_results(page)).to_have_text([ONE_POST_TITLE], timeout=SEARCH_WAIT)
        # The preview serves at "/", whatever base_url's path.
        assert live_results(page).get_attribute("href") == "/" + ONE_POST_PATH

        (content / "posts" / "2024-05-01-narwhals.md").write_text(NEW_POST)
        page.goto(server.origin + "/")
        page.locator("#search-q").press_sequentially("narwhal", delay=20)
        expect(live_results(page)).to_have_text(["Watching narwhals"], timeout=SEARCH_WAIT)
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in tab.requests), tab.requests
        assert tab.errors == []
    finally:
        server.stop()


def test_when_the_index_cannot_be_loaded_the_form_searches_google_again(search_site, open_tab):
    shutil.rmtree(search_site.output / "pagefind")
    tab = open_tab()
    page = tab.page
    page.goto(search_site.url())
    page.locator("#search-q").press_sequentially("harbour", delay=20)
    form = page.locator("header form")
    expect(form).to_have_attribute("action", "https://www.google.com/search", timeout=SEARCH_WAIT)
    page.locator("#search-q").press("Enter")
    page.wait_for_timeout(500)
    (search,) = [url for url in tab.blocked if "google" in url]
    assert parse_qs(urlsplit(search).query) == {"q": ["harbour"], "sitesearch": ["search.example.org/blog"]}


# Posts added to the fixture for a site of several shards: a word of each
# post's own, all tagged Sailing, a day apart.
SHARD_WORDS = ["alpaca", "bison", "caracal", "dugong", "echidna", "fossa"]


@pytest.fixture
def sharded_site(tmp_path, monkeypatch) -> Iterator[SearchSite]:
    """The fixture with six more posts, indexed two pages a shard
    (BLOG_SEARCH_SHARD_SIZE), so its index is several bundles merged."""
    monkeypatch.setenv("BLOG_SEARCH_SHARD_SIZE", "2")
    posts = {
        f"2024-06-{day:02d}-{word}.md": (
            f"---\ntitle: Sighting a {word}\ntags: [Sailing]\n---\nFrom the deck we saw a {word} on the shore.\n"
        )
        for day, word in enumerate(SHARD_WORDS, start=1)
    }
    with served_site(tmp_path, posts) as site:
        yield site


def test_a_site_of_several_shards_is_searched_as_one(sharded_site, open_tab):
    shards = shard_fragments(sharded_site.output)
    assert len(shards) >= 3
    # A post whose words are in a shard other than the primary bundle's.
    word, url = next(
        (word, f"/2024/06/{word}/")
        for word in SHARD_WORDS
        if any(f"/2024/06/{word}/" in found for folder, found in shards.items() if folder != "pagefind")
    )
    tab = open_tab()
    page = tab.page
    page.goto(sharded_site.url())
    page.locator("#search-q").press_sequentially(word, delay=20)
    # First: the shards without the word answer with pages that share only a
    # prefix of it, scored far lower (Pagefind's fallback; docs/search.md).
    expect(live_results(page).first).to_have_text(f"Sighting a {word}", timeout=SEARCH_WAIT)
    assert live_results(page).first.get_attribute("href") == SUB_PATH + url.lstrip("/")

    # The tag filter and the order by date, over every shard.
    sailing = [f"Sighting a {word}" for word in reversed(SHARD_WORDS)] + [
        "Three knots worth knowing",
        "Reading tide tables",
    ]
    tagged = {
        folder
        for folder, found in shards.items()
        for fragment in found.values()
        if "Sailing" in fragment["filters"].get("tag", [])
    }
    assert len(tagged) >= 2
    page.goto(sharded_site.url("search/"))
    page.locator("#search-tag").select_option("Sailing")
    expect(page_results(page)).to_have_count(len(sailing), timeout=SEARCH_WAIT)
    assert sorted(page_results(page).all_inner_texts()) == sorted(sailing)
    page.locator("#search-sort").select_option("newest")
    expect(page_results(page)).to_have_text(sailing, timeout=SEARCH_WAIT)
    page.locator("#search-page-q").press_sequentially("deck", delay=20)
    expect(page_results(page)).to_have_text(sailing[: len(SHARD_WORDS)], timeout=SEARCH_WAIT)
    assert tab.blocked == []
    assert tab.errors == []

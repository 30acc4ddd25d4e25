"""Hostile values from front matter and site.toml come out as the same text
everywhere, and never as markup: built once from tests/fixtures/hostile/."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import feedparser
import pytest
import yaml

from .conftest import FIXTURES, run_build
from .html_tree import canonical_url, meta_content
from .site_links import Site

HOSTILE = FIXTURES / "hostile"


def front_matter(name: str) -> dict:
    text = (HOSTILE / name).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


SITE = tomllib.loads((HOSTILE / "site.toml").read_text(encoding="utf-8"))
POST = front_matter("posts/hostile.md")
PAGE = front_matter("pages/hostile-page.md")
POST_FILE = "2024/01/hostile/index.html"
# The only scripts a page may hold.
ALLOWED_SCRIPT_TYPES = {"application/ld+json", "application/json"}
ALLOWED_SCRIPT_SOURCES = ("/static/js/comments.", "/static/js/search.", "count.js")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("hostile")
    build = run_build(HOSTILE, root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return Site(build.output, SITE["base_url"])


def test_the_fixture_really_is_hostile():
    hostile = (SITE["title"], SITE["description"], POST["title"], POST["description"], POST["disqus_identifier"])
    for value in (*hostile, POST["series"]):
        assert "</script><script>" in value
        assert '"' in value
    assert "<b>tag</b>" in POST["tags"]


def test_no_page_gains_an_element_or_an_event_handler(site):
    pages = site.files(".html")
    assert len(pages) >= 10
    for relative in pages:
        page = site.page(relative)
        assert page.errors == [], relative
        assert page.find("b") is None, relative
        for element in page.iter():
            handlers = [name for name, _ in element.attr_list if name.startswith("on")]
            assert handlers == [], f"{relative}: <{element.tag} {handlers}>"
            assert len({name for name, _ in element.attr_list}) == len(element.attr_list), relative
        for script in page.iter("script"):
            src = script.get("src")
            if src is None:
                assert script.get("type") in ALLOWED_SCRIPT_TYPES, relative
                assert "</script" not in script.raw_text().lower()
                assert "<!--" not in script.raw_text()
            else:
                assert any(allowed in src for allowed in ALLOWED_SCRIPT_SOURCES), src


def test_site_title_round_trips_on_every_page(site):
    for relative in site.files(".html"):
        page = site.page(relative)
        if page.find("a", class_="site-title") is None:
            continue  # a redirect page has no site header
        assert page.find("a", class_="site-title").text() == " ".join(SITE["title"].split())
        assert meta_content(page, "og:site_name") == SITE["title"]


def test_post_values_round_trip_as_text(site):
    page = site.page(POST_FILE)
    assert page.find("title").text() == f"{POST['title']} · {SITE['title']}"
    assert page.find("h1").text() == POST["title"]
    assert meta_content(page, "og:title") == meta_content(page, "twitter:title") == POST["title"]
    assert meta_content(page, "description") == meta_content(page, "og:description") == POST["description"]


def test_tags_round_trip(site):
    page = site.page(POST_FILE)
    shown = sorted(a.text() for a in page.find("ul", class_="tag-list").iter("a"))
    assert shown == sorted(POST["tags"])
    meta_tags = sorted(m.get("content") for m in page.iter("meta") if m.get("property") == "article:tag")
    assert meta_tags == sorted(POST["tags"])
    tag_list = site.page("tags/index.html")
    assert sorted(a.text() for a in tag_list.with_class("tag", "a")) == sorted(POST["tags"])


def test_series_name_round_trips(site):
    box = site.page(POST_FILE).find("nav", class_="series-box")
    assert box.get("aria-label") == f"Series: {POST['series']}"
    assert box.find("p", class_="series-place").find("a").text() == POST["series"]
    series_url = urljoin(site.url_of(POST_FILE), box.find("p", class_="series-place").find("a").get("href"))
    series_page = site.page(site.file_for(series_url))
    assert series_page.find("h1").text() == f"Series: {POST['series']}"
    assert [a.text() for a in site.page("series/index.html").find("ul", class_="series-index").iter("a")] == [
        POST["series"]
    ]


def test_json_ld_parses_to_the_original_values(site):
    page = site.page(POST_FILE)
    (block,) = [s for s in page.iter("script") if s.get("type") == "application/ld+json"]
    data = json.loads(block.raw_text())
    assert data["headline"] == POST["title"]
    assert data["description"] == POST["description"]
    assert sorted(data["keywords"]) == sorted(POST["tags"])
    assert data["author"]["name"] == SITE["author"]


def test_disqus_settings_parse_to_the_original_values(site):
    page = site.page(POST_FILE)
    settings = json.loads(page.find("script", id="disqus-settings").raw_text())
    assert settings["identifier"] == POST["disqus_identifier"]
    assert settings["title"] == POST["title"]
    assert settings["shortname"] == SITE["disqus_shortname"]
    assert settings["url"] == canonical_url(page)
    assert page.find("div", id="disqus_thread").get("data-disqus-shortname") == SITE["disqus_shortname"]


def test_list_pages_round_trip_titles_and_identifiers(site):
    index = site.page("index.html")
    titles = [a.text() for a in index.with_class("post-summary-title", "h2")]
    assert " ".join(POST["title"].split()) in titles
    identifiers = [a.get("data-disqus-identifier") for a in index.with_class("comment-count", "a")]
    assert POST["disqus_identifier"] in identifiers
    summary = next(
        article.with_class("summary")[0]
        for article in index.with_class("post-summary", "article")
        if article.find("h2").text() == " ".join(POST["title"].split())
    )
    assert summary.text() == POST["summary"]
    assert summary.find("script") is None


def test_page_and_redirect_round_trip(site):
    page = site.page("hostile-page/index.html")
    assert page.find("h1").text() == PAGE["title"]
    assert meta_content(page, "description") == PAGE["description"]
    redirect = site.page("moved/index.html")
    assert redirect.find("title").text() == f"Moved: {POST['title']}"
    assert redirect.find("a").text() == POST["title"]


def test_image_url_cannot_break_out_of_its_attribute(site):
    page = site.page(POST_FILE)
    image = meta_content(page, "og:image")
    assert image.startswith(SITE["base_url"])
    assert '"' not in image and " " not in image


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml"])
def test_feeds_parse_to_the_original_values(site, feed):
    parsed = feedparser.parse((site.output / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == SITE["title"]
    entry = next(e for e in parsed.entries if e.link.endswith("/hostile/"))
    assert entry.title == POST["title"]
    assert sorted(t.term for t in entry.tags) == sorted(POST["tags"])
    # ElementTree agrees, so the XML itself is well formed.
    ET.parse(site.output / feed)


def test_tag_feeds_and_sitemap_are_well_formed(site):
    feeds = [feed for feed in site.files("rss.xml") if feed.startswith("tags/")]
    assert len(feeds) == 3
    for feed in feeds:
        parsed = feedparser.parse((site.output / feed).read_bytes())
        assert not parsed.bozo, feed
        assert parsed.feed.title.startswith(SITE["title"] + ": ")
    ET.parse(site.output / "sitemap.xml")

"""The whole fixture site, built once by the real command and checked as a
reader, a feed reader, a crawler and a static host would see it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime
from urllib.parse import unquote, urldefrag

import feedparser
import pytest
import yaml

from .conftest import SITE_FIXTURE, fixture_base_url
from .html_tree import canonical_url, meta_content
from .site_links import Site

BASE_URL = fixture_base_url()
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# What the fixture's eight visible posts, two a page, make (see tests/fixtures/site/).
ROUTES = [
    "",
    "page/2/",
    "page/4/",
    "2016/11/jekyll-post/",
    "2024/01/yaml-features/",
    "2024/02/hugo-style/",
    "2024/03/zola-post/",
    "2024/04/pelican-style/",
    "2024/05/%E6%97%A5%E6%9C%AC%E8%AA%9E/",
    "2024/06/no-comments/",
    # 23:30 in New York on 30 June is 1 July in the site's zone, Stockholm.
    "2024/07/offset-date/",
    "tags/",
    "tags/python/",
    "tags/python/page/2/",
    "tags/python/page/3/",
    "tags/python/rss.xml",
    "tags/static-sites/",
    "tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/",
    "tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/rss.xml",
    "archive/",
    "about/",
    "search/",
    "rss.xml",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "old/path/",
    "CNAME",
    "images/diagram.png",
]
# Routes that must not exist: one page past the end of each list.
MISSING = ["page/5/", "tags/python/page/4/", "tags/markdown/page/2/", "page/1/"]


def hidden_posts() -> list[dict]:
    """Front matter of the fixture's draft and future posts, read with PyYAML."""
    posts = []
    for name in ("draft.md", "future.md"):
        text = (SITE_FIXTURE / "posts" / name).read_text(encoding="utf-8")
        posts.append(yaml.safe_load(text.split("---")[1]))
    return posts


@pytest.fixture(scope="module")
def site(site_build) -> Site:
    return Site(site_build.output, BASE_URL)


def html_pages(site: Site) -> list[str]:
    return site.files(".html")


def is_redirect(site: Site, relative: str) -> bool:
    return any((m.get("http-equiv") or "").lower() == "refresh" for m in site.page(relative).iter("meta"))


@pytest.mark.parametrize("route", ROUTES)
def test_route_is_served(site, route):
    assert site.file_for(BASE_URL + route), f"nothing is served at {BASE_URL}{route}"


@pytest.mark.parametrize("route", MISSING)
def test_no_page_past_the_end(site, route):
    assert site.file_for(BASE_URL + route) is None


def test_every_tag_has_its_page_and_feed(site):
    tag_links = [a.get("href") for a in site.page("tags/index.html").with_class("tag", "a")]
    assert len(tag_links) >= 10
    for href in tag_links:
        assert site.file_for(site.base.scheme + "://" + site.base.netloc + href), href
        assert site.file_for(site.base.scheme + "://" + site.base.netloc + href + "rss.xml"), href


def test_index_pages_hold_posts_per_page_posts_newest_first(site):
    stamps = []
    for route in ("", "page/2/", "page/3/", "page/4/"):
        page = site.page(site.file_for(BASE_URL + route))
        summaries = page.with_class("post-summary", "article")
        assert len(summaries) == 2, route
        stamps += [datetime.fromisoformat(s.find("time").get("datetime")) for s in summaries]
    assert stamps == sorted(stamps, reverse=True)


def test_every_html_page_is_well_formed(site):
    problems = {page: site.page(page).errors for page in html_pages(site)}
    assert {page: errors for page, errors in problems.items() if errors} == {}


def test_alias_is_a_redirect_page(site):
    page = site.page(site.file_for(BASE_URL + "old/path/"))
    target = BASE_URL + "2024/01/yaml-features/"
    refresh = page.find("meta", http_equiv="refresh").get("content")
    assert refresh.split(";")[0].strip() == "0"
    assert refresh.split("url=", 1)[1] == target
    assert canonical_url(page) == target
    assert [a.get("href") for a in page.iter("a")] == [target]
    assert site.file_for(target)


def test_copied_files_are_byte_identical_and_sources_are_not_copied(site):
    for name in ("CNAME", "images/diagram.png"):
        assert (site.output / name).read_bytes() == (SITE_FIXTURE / name).read_bytes()
    assert not list(site.output.rglob("*.md"))
    assert not (site.output / "site.toml").exists()


def test_robots_txt_points_at_the_sitemap(site):
    lines = (site.output / "robots.txt").read_text().splitlines()
    sitemap = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
    assert sitemap == [BASE_URL + "sitemap.xml"]


# Feeds -------------------------------------------------------------------------


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml"])
def test_site_feeds_parse_and_carry_every_visible_post_in_full(site, feed):
    parsed = feedparser.parse((site.output / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    links = [entry.link for entry in parsed.entries]
    # Eight visible posts, fewer than the feed's limit of 20: all of them.
    assert len(links) == 8
    assert all(link.startswith(BASE_URL) and site.file_for(link) for link in links)
    published = [entry.published_parsed for entry in parsed.entries]
    assert published == sorted(published, reverse=True)
    features = next(e for e in parsed.entries if e.link.endswith("/yaml-features/"))
    full = features.content[0].value if feed == "atom.xml" else features.description
    # Full content: the text after <!-- more --> and the footnotes are there.
    assert "Everything below the marker" in full
    assert "The second footnote." in full
    assert parsed.feed.link == BASE_URL


def test_tag_feed_holds_only_the_tags_posts(site):
    parsed = feedparser.parse((site.output / "tags/python/rss.xml").read_bytes())
    assert not parsed.bozo
    assert len(parsed.entries) == 5
    for entry in parsed.entries:
        assert "python" in [t.term for t in entry.tags]
        assert entry.link.startswith(BASE_URL)


def test_feed_self_links_are_their_own_absolute_urls(site):
    for feed in ("rss.xml", "atom.xml", "tags/python/rss.xml"):
        parsed = feedparser.parse((site.output / feed).read_bytes())
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [site.url_of(feed)]


# Sitemap -----------------------------------------------------------------------


def test_sitemap_lists_absolute_urls_with_lastmod(site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    entries = root.findall(f"{SITEMAP}url")
    locs = [entry.findtext(f"{SITEMAP}loc") for entry in entries]
    assert len(locs) == len(set(locs))
    for entry, loc in zip(entries, locs, strict=True):
        assert loc.startswith(BASE_URL) and site.file_for(loc), loc
        lastmod = entry.findtext(f"{SITEMAP}lastmod")
        assert lastmod, f"{loc} has no lastmod"
        date.fromisoformat(lastmod[:10])
    posts = {site.url_of(p) for p in html_pages(site) if p[:4].isdigit()}
    tags = {site.url_of(p) for p in html_pages(site) if p.startswith("tags/") and "/page/" not in p}
    assert posts <= set(locs)
    assert tags <= set(locs)
    assert BASE_URL + "about/" in locs


def test_sitemap_lastmod_is_the_updated_date_when_there_is_one(site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    lastmods = {e.findtext(f"{SITEMAP}loc"): e.findtext(f"{SITEMAP}lastmod") for e in root.iter(f"{SITEMAP}url")}
    assert lastmods[BASE_URL + "2024/01/yaml-features/"].startswith("2024-02-01")
    assert lastmods[BASE_URL + "about/"].startswith("2024-03-03")


# Metadata on every page --------------------------------------------------------


def test_every_page_has_canonical_description_and_social_cards(site):
    problems = []
    for relative in html_pages(site):
        page = site.page(relative)
        canonical = canonical_url(page)
        if relative == "404.html":
            # Served at any missing address, so it cannot name its own.
            expected = BASE_URL
        elif is_redirect(site, relative):
            continue  # checked by test_alias_is_a_redirect_page
        else:
            expected = site.url_of(relative)
        if canonical != expected:
            problems.append(f"{relative}: canonical {canonical!r}, expected {expected!r}")
        for key in ("description", "og:type", "og:title", "og:description", "og:url", "og:site_name"):
            if not meta_content(page, key):
                problems.append(f"{relative}: no {key}")
        for key in ("twitter:card", "twitter:title", "twitter:description"):
            if not meta_content(page, key):
                problems.append(f"{relative}: no {key}")
        if meta_content(page, "og:url") != canonical:
            problems.append(f"{relative}: og:url differs from the canonical link")
        if not page.find("title").text():
            problems.append(f"{relative}: empty <title>")
    assert problems == []


def post_pages(site: Site) -> list[str]:
    return [p for p in html_pages(site) if p[:4].isdigit()]


def test_posts_carry_blog_posting_json_ld(site):
    pages = post_pages(site)
    assert len(pages) == 8
    for relative in pages:
        page = site.page(relative)
        blocks = [s for s in page.iter("script") if s.get("type") == "application/ld+json"]
        assert len(blocks) == 1, relative
        data = json.loads(blocks[0].raw_text())
        assert data["@type"] == "BlogPosting"
        assert data["headline"] == page.find("h1").text()
        assert data["url"] == canonical_url(page) == site.url_of(relative)
        published = datetime.fromisoformat(data["datePublished"])
        assert published.tzinfo is not None
        assert published.isoformat() == page.find("time").get("datetime")
        assert meta_content(page, "og:type") == "article"


def test_post_with_image_has_absolute_social_image(site):
    page = site.page("2024/01/yaml-features/index.html")
    image = meta_content(page, "og:image")
    assert image == BASE_URL + "images/diagram.png"
    assert (meta_content(page, "og:image:width"), meta_content(page, "og:image:height")) == ("600", "300")
    assert meta_content(page, "twitter:card") == "summary_large_image"
    assert site.file_for(image)


# Links -------------------------------------------------------------------------


def test_every_internal_link_and_fragment_resolves(site):
    links = []
    for relative in html_pages(site):
        links += site.html_links(relative)
    for feed in site.files(".xml"):
        if feed != "sitemap.xml":
            links += site.feed_links(feed)
    internal = [link for link in links if site.is_internal(link.url)]
    assert len(internal) > 500  # the check really ran over the whole site
    ids: dict[str, set[str]] = {}
    broken = []
    for link in internal:
        url, fragment = urldefrag(link.url)
        target = site.file_for(url)
        if target is None:
            broken.append(f"{link.source}: {link.url} is not served")
            continue
        if fragment:
            if target not in ids:
                ids[target] = site.page(target).ids() if target.endswith(".html") else set()
            if unquote(fragment) not in ids[target]:
                broken.append(f"{link.source}: no id {unquote(fragment)!r} in {target}")
    assert sorted(set(broken)) == []


def test_request_host_never_appears(site):
    for path in site.output.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for host in (b"localhost", b"testserver", b"127.0.0.1", b"None://"):
                assert host not in data, f"{host!r} in {path.relative_to(site.output)}"


# What readers may see ----------------------------------------------------------


def test_drafts_and_future_posts_are_nowhere(site):
    hidden = hidden_posts()
    for path in site.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt"):
            text = unquote(path.read_text(encoding="utf-8"))
            for post in hidden:
                assert post["title"] not in text, f"{post['title']!r} in {path}"
                for tag in post["tags"]:
                    if tag != "python":  # shared with visible posts
                        assert f"/tags/{tag}/" not in text
    assert site.file_for(BASE_URL + "draft-alias/") is None
    assert not (site.output / "2099").exists()


def test_drafts_and_future_posts_are_built_with_the_flags(site_build_all):
    site = Site(site_build_all.output, BASE_URL)
    assert len(post_pages(site)) == 10
    draft = site.page(site.file_for(BASE_URL + "2024/07/draft/"))
    assert [b.text() for b in draft.with_class("badge")] == ["Draft"]
    future = site.page(site.file_for(BASE_URL + "2099/01/future/"))
    assert [b.text() for b in future.with_class("badge")] == ["Scheduled"]
    assert site.file_for(BASE_URL + "tags/secret-draft-tag/")
    assert site.file_for(BASE_URL + "draft-alias/")
    titles = [e.title for e in feedparser.parse((site.output / "rss.xml").read_bytes()).entries]
    assert titles[0] == "A letter to the future"
    assert "An unfinished draft" in titles

"""blog/feeds.py: RSS and Atom with full content and absolute URLs from base_url."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from django.urls import reverse

from blog.content.sync import sync_content
from blog.feeds import FEED_LENGTH

from .conftest import SITE_FIXTURE
from .html_tree import parse_html

BASE_URL = "https://example.org/sub/path/"


@pytest.fixture
def feed(client, built_site):
    def fetch(name: str, *args):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        return response, parsed

    return fetch


def add_posts(content: Path, count: int, start: dt.date) -> None:
    """Write ``count`` more posts, one a day from ``start``, and sync them."""
    for number in range(count):
        day = start + dt.timedelta(days=number)
        post = content / "posts" / "extra" / f"{day.isoformat()}-extra-{number}.md"
        post.parent.mkdir(parents=True, exist_ok=True)
        post.write_text(f'---\ntitle: "Extra {number}"\n---\nExtra body {number}.\n', encoding="utf-8")
    sync_content(content)


def test_rss_has_every_visible_post_with_full_content(feed):
    response, parsed = feed("blog:rss")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Fixture Field Notes"
    assert parsed.feed.link == BASE_URL
    titles = [e.title for e in parsed.entries]
    assert titles[0] == "Written late in New York"
    assert titles[-1] == "Counting words with Ruby"
    assert len(titles) == 8
    features = next(e for e in parsed.entries if e.title == "Everything Markdown can do here")
    body = parse_html(features.description)
    assert body.with_class("footnote", "div")
    assert body.find("table") is not None
    assert sorted(t.term for t in features.tags) == ["markdown", "python"]


def test_atom_has_summary_and_full_content(feed):
    _, parsed = feed("blog:atom")
    assert parsed.version == "atom10"
    features = next(e for e in parsed.entries if e.title == "Everything Markdown can do here")
    summary = parse_html(features.summary)
    assert summary.text().startswith("This opening paragraph is the summary")
    assert summary.find("sup") is None
    content = parse_html(features.content[0].value)
    assert "Everything below the marker" in content.text()
    assert features.updated_parsed[:3] == (2024, 2, 1)
    assert features.published_parsed[:3] == (2024, 1, 15)


@pytest.mark.parametrize(("name", "args"), [("blog:rss", []), ("blog:atom", []), ("blog:tag_rss", ["python"])])
def test_every_feed_url_is_absolute_under_base_url(feed, name, args):
    response, parsed = feed(name, *args)
    urls = [parsed.feed.link] + [link.href for link in parsed.feed.get("links", [])]
    for entry in parsed.entries:
        urls += [entry.link, entry.id]
    assert all(url.startswith(BASE_URL) for url in urls), urls
    assert b"testserver" not in response.content


def test_feeds_carry_the_newest_twenty(feed, copy_fixture):
    # Newer than every fixture post, and in the past.
    add_posts(copy_fixture("site"), 25, dt.date(2024, 8, 1))
    for name in ("blog:rss", "blog:atom"):
        _, parsed = feed(name)
        assert len(parsed.entries) == FEED_LENGTH == 20
        assert [e.title for e in parsed.entries] == [f"Extra {n}" for n in range(24, 4, -1)]


def test_tag_feed(feed):
    _, parsed = feed("blog:tag_rss", "日本語")
    assert parsed.feed.title == "Fixture Field Notes: 日本語"
    assert parsed.feed.link == BASE_URL + "tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/"
    assert [e.title for e in parsed.entries] == ["日本語の投稿"]


def test_unknown_tag_feed_is_404(client, built_site):
    assert client.get(reverse("blog:tag_rss", args=["no-such-tag"])).status_code == 404


def test_an_empty_feed_has_a_fixed_date(client, built_site, tmp_path):
    (tmp_path / "site.toml").write_text((SITE_FIXTURE / "site.toml").read_text())
    sync_content(tmp_path)
    response = client.get(reverse("blog:rss"))
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findall("item") == []
    assert channel.findtext("lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 +0000"


@pytest.mark.parametrize("name", ["blog:rss", "blog:atom"])
def test_links_inside_entries_survive_a_feed_reader(client, built_site, name):
    url = reverse(name)
    response = client.get(url)
    # feedparser resolves relative links the way feed readers do: against the
    # document's own address (xml:base when there is one).
    parsed = feedparser.parse(response.content, response_headers={"content-location": BASE_URL + url.lstrip("/")})
    entry = next(e for e in parsed.entries if e.link.endswith("/yaml-features/"))
    html = entry.content[0].value if name == "blog:atom" else entry.description
    targets = [a.get("href") for a in parse_html(html).iter("a")]
    assert targets
    assert all(target.startswith(entry.link) for target in targets if "#" in target), targets

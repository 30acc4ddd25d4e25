"""blog/sitemaps.py: every visible page, absolute under base_url, with lastmod."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from blog.content.sync import sync_content

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE_URL = "https://example.org/sub/path/"


@pytest.fixture
def sitemap(client, built_site) -> dict[str, str | None]:
    """loc -> lastmod of the sitemap as a crawler reads it."""

    def fetch() -> dict[str, str | None]:
        response = client.get(reverse("blog:sitemap"))
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        assert root.tag == f"{NS}urlset"
        entries = [(url.findtext(f"{NS}loc"), url.findtext(f"{NS}lastmod")) for url in root.iter(f"{NS}url")]
        locs = [loc for loc, _ in entries]
        assert len(locs) == len(set(locs))
        return dict(entries)

    return fetch


def test_every_url_is_absolute_under_base_url(sitemap):
    for loc in sitemap():
        assert loc.startswith(BASE_URL), loc


def test_sections_posts_pages_and_tags_are_listed(sitemap):
    locs = sitemap()
    paths = {loc.removeprefix(BASE_URL) for loc in locs}
    assert {"", "archive/", "tags/", "about/", "tags/python/", "2024/07/offset-date/"} <= paths
    assert "tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/" in paths
    posts = [p for p in paths if p[:4].isdigit()]
    assert len(posts) == 8
    # Lists past their first page, search and the 404 page are not for crawlers.
    assert not [p for p in paths if "page/" in p or p in ("search/", "404.html")]


def test_hidden_posts_and_their_tags_are_not_listed(sitemap):
    paths = {loc.removeprefix(BASE_URL) for loc in sitemap()}
    assert "2024/07/draft/" not in paths
    assert not [p for p in paths if p.startswith("2099/")]
    assert "tags/secret-draft-tag/" not in paths
    assert "tags/future-only/" not in paths


def test_lastmod_is_the_updated_or_published_date(sitemap):
    lastmods = sitemap()
    assert lastmods[BASE_URL + "2024/01/yaml-features/"].startswith("2024-02-01")
    assert lastmods[BASE_URL + "2016/11/jekyll-post/"].startswith("2016-11-21")
    assert lastmods[BASE_URL + "about/"].startswith("2024-03-03")
    # Sections and tags change with their newest post.
    assert lastmods[BASE_URL].startswith("2024-07-01")
    assert lastmods[BASE_URL + "tags/markdown/"].startswith("2024-06-01")


def test_a_page_without_any_date_has_no_lastmod(sitemap, copy_fixture):
    content = copy_fixture("site")
    about = content / "pages" / "about.md"
    about.write_text("\n".join(line for line in about.read_text().splitlines() if not line.startswith("updated:")))
    sync_content(content)
    assert sitemap()[BASE_URL + "about/"] is None


def _lastmods(xml: str) -> dict[str, str | None]:
    root = ET.fromstring(xml)
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root.iter(f"{NS}url")}


def test_an_update_moves_its_tags_and_the_sections_lastmod_in_the_next_build(copy_fixture, build):
    content = copy_fixture("site")
    first = build(content)
    assert first.ok, first.process.stderr
    before = _lastmods(first.read("sitemap.xml"))
    assert before[BASE_URL + "tags/toc/"].startswith("2024-06-01")
    post = content / "posts" / "no-comments.md"
    post.write_text(post.read_text().replace("tags: markdown, toc\n", "tags: markdown, toc\nupdated: 2025-05-05\n"))
    second = build(content)
    assert second.ok, second.process.stderr
    lastmods = _lastmods(second.read("sitemap.xml"))
    for path in ("tags/markdown/", "tags/toc/", "", "archive/", "tags/"):
        assert lastmods[BASE_URL + path].startswith("2025-05-05"), path
    assert lastmods[BASE_URL + "tags/python/"] == before[BASE_URL + "tags/python/"]


def test_the_sitemap_template_writes_what_djangos_own_writes(settings):
    """templates/sitemap.xml writes each entry with a tag, not a loop in the
    template engine; for every kind of entry Django's sitemaps make, it must
    write the bytes django.contrib.sitemaps' own template writes."""
    import datetime as dt
    from pathlib import Path

    import django.contrib.sitemaps
    from django.template import engines
    from django.template.loader import get_template

    settings.TIME_ZONE = "Asia/Tokyo"
    djangos = Path(django.contrib.sitemaps.__file__).parent / "templates" / "sitemap.xml"
    theirs = engines["django"].from_string(djangos.read_text(encoding="utf-8"))
    late = dt.datetime(2024, 3, 31, 20, 30, tzinfo=dt.UTC)  # already April in Tokyo
    urlset = [
        {
            "location": "https://example.org/a?b=1&c=<2>",
            "lastmod": late,
            "changefreq": None,
            "priority": "",
            "alternates": [],
        },
        {
            "location": "https://example.org/b/",
            "lastmod": dt.date(2023, 1, 2),
            "changefreq": "weekly",
            "priority": "0.5",
            "alternates": [],
        },
        {
            "location": "https://example.org/c/",
            "lastmod": None,
            "changefreq": None,
            "priority": "0.0",
            "alternates": [
                {"lang_code": "en", "location": "https://example.org/en/c/"},
                {"lang_code": "x-default", "location": 'https://example.org/c/?x="1"'},
            ],
        },
    ]
    ours = get_template("sitemap.xml").render({"urlset": urlset})
    assert ours == theirs.render({"urlset": urlset})
    assert "<lastmod>2024-04-01</lastmod>" in ours
    root = ET.fromstring(ours.encode())
    assert [url.findtext(f"{NS}loc") for url in root.iter(f"{NS}url")][0] == "https://example.org/a?b=1&c=<2>"

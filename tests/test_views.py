"""blog/views.py through the Django test client, on the fixture site synced
into the test database."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.test.utils import override_script_prefix
from django.urls import reverse

from blog.siteconfig import activate_site, active_site
from blog.visibility import Visibility, visible

from .html_tree import canonical_url, parse_html

DRAFT_URL = ("blog:post", ["2024/07/draft"])
FUTURE_URL = ("blog:post", ["2099/01/future"])


def link(name: str, *args) -> str:
    """A URL as the built pages write it, under the site's base path."""
    with override_script_prefix(active_site().base_path):
        return reverse(name, args=args)


@pytest.fixture
def get(client, built_site):
    """GET a named URL (requests never carry the base path: the static host
    strips it); return the response and its parsed HTML."""

    def fetch(name: str, *args, status: int = 200):
        response = client.get(reverse(name, args=args))
        assert response.status_code == status, response.content[:500]
        page = parse_html(response.content.decode()) if "html" in response["Content-Type"] else None
        return response, page

    return fetch


def summary_titles(page) -> list[str]:
    return [article.find("h2").text() for article in page.with_class("post-summary", "article")]


def test_index_lists_the_newest_posts_per_page(get):
    _, first = get("blog:index")
    assert summary_titles(first) == ["Written late in New York", "Three headings and no comments"]
    _, last = get("blog:index_page", 4)
    assert summary_titles(last) == ["Everything Markdown can do here", "Counting words with Ruby"]
    get("blog:index_page", 5, status=404)


def test_index_pages_link_to_their_neighbours(get):
    _, page = get("blog:index_page", 2)
    nav = page.with_class("pagination", "nav")[0]
    assert {a.get("rel"): a.get("href") for a in nav.iter("a")} == {
        "prev": link("blog:index"),
        "next": link("blog:index_page", 3),
    }
    assert nav.with_class("pagination-current")[0].text() == "Page 2 of 4"


def test_post_page(get):
    response, page = get("blog:post", "2024/01/yaml-features")
    assert page.find("h1").text() == "Everything Markdown can do here"
    assert sorted(a.text() for a in page.with_class("tag", "a")) == ["markdown", "python"]
    toc = page.with_class("post-toc", "nav")[0]
    assert [a.get("href") for a in toc.iter("a")] == ["#tables", "#footnotes", "#pictures", "#math"]
    # Dates are shown in the site's zone.
    assert page.find("time").get("datetime") == "2024-01-15T09:00:00+01:00"
    assert page.with_class("post-updated")[0].find("time").get("datetime") == "2024-02-01T10:00:00+01:00"
    neighbours = {a.get("rel"): a.get("href") for a in page.with_class("post-neighbours")[0].iter("a")}
    assert neighbours == {
        "prev": link("blog:post", "2016/11/jekyll-post"),
        "next": link("blog:post", "2024/02/hugo-style"),
    }


def test_related_posts_are_older_posts_sharing_tags(get):
    _, page = get("blog:post", "2024/05/日本語")
    related = [a.text() for a in page.find("section", class_="related").iter("a")]
    # Every older candidate shares one tag (python): the newest of them come first.
    assert related == [
        "Pelican's plain headers",
        "Zola keeps tags under taxonomies",
        "A post with Hugo's TOML header",
    ]
    # The oldest post with its tags shares them with newer posts only.
    _, oldest = get("blog:post", "2024/01/yaml-features")
    assert oldest.find("section", class_="related") is None
    _, lonely = get("blog:post", "2024/07/offset-date")
    assert lonely.find("section", class_="related") is None


def test_post_json_ld(get):
    _, page = get("blog:post", "2016/11/jekyll-post")
    (block,) = [s for s in page.iter("script") if s.get("type") == "application/ld+json"]
    data = json.loads(block.raw_text())
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Counting words with Ruby"
    assert data["datePublished"] == "2016-11-21T11:30:00+01:00"
    assert data["keywords"] == ["ruby", "scripting"]
    assert data["author"] == {"@type": "Person", "name": "Ada Fixture"}
    assert data["url"] == "https://example.org/sub/path/2016/11/jekyll-post/"


def test_comments_load_from_json_settings(get):
    _, page = get("blog:post", "2016/11/jekyll-post")
    settings = json.loads(page.find("script", id="disqus-settings").raw_text())
    assert settings == {
        "shortname": "fixture-notes",
        "url": "https://example.org/sub/path/2016/11/jekyll-post/",
        "identifier": "jekyll-post",
        "title": "Counting words with Ruby",
    }
    assert page.find("div", id="disqus_thread") is not None


def test_comments_false_leaves_disqus_out(get):
    _, page = get("blog:post", "2024/06/no-comments")
    assert page.find("div", id="disqus_thread") is None
    assert page.find("script", id="disqus-settings") is None
    _, index = get("blog:index")
    counts = [a.get("href") for a in index.with_class("comment-count", "a")]
    assert counts == [link("blog:post", "2024/07/offset-date") + "#disqus_thread"]


def test_unknown_post_is_the_404_page(get):
    _, page = get("blog:post", "2024/01/no-such-post", status=404)
    assert page.find("h1").text() == "Page not found"


@pytest.mark.parametrize(
    ("url", "badge", "rule"), [(DRAFT_URL, "Draft", "drafts"), (FUTURE_URL, "Scheduled", "future")]
)
def test_hidden_posts_are_404_unless_shown(get, url, badge, rule):
    name, args = url
    get(name, *args, status=404)
    with visible(Visibility(**{rule: True})):
        _, page = get(name, *args)
    assert [b.text() for b in page.with_class("badge")] == [badge]


DRAFT, FUTURE = "An unfinished draft", "A letter to the future"


@pytest.mark.parametrize(
    ("name", "args", "shown_with_flags"),
    [
        ("blog:index", [], [DRAFT, FUTURE]),
        ("blog:tags", [], ["secret-draft-tag", "future-only"]),
        ("blog:archive", [], [DRAFT, FUTURE]),
        ("blog:tag", ["python"], [DRAFT]),
        ("blog:rss", [], [DRAFT, FUTURE]),
        ("blog:atom", [], [DRAFT, FUTURE]),
        ("blog:tag_rss", ["python"], [DRAFT]),
        ("blog:sitemap", [], ["/2024/07/draft/", "/2099/01/future/"]),
    ],
)
def test_hidden_posts_are_in_no_list_unless_shown(client, built_site, name, args, shown_with_flags):
    every_page = [reverse(name, args=args)]
    if name in ("blog:index", "blog:tag"):
        # With the hidden posts shown, the lists grow by a page.
        every_page += [reverse(f"{name}_page", args=[*args, n]) for n in (2, 3, 4, 5)]

    def text_of(url: str) -> str:
        response = client.get(url)
        return response.content.decode() if response.status_code == 200 else ""

    hidden = "".join(text_of(url) for url in every_page)
    for marker in (DRAFT, FUTURE, "/2024/07/draft/", "/2099/01/future/", "secret-draft-tag", "future-only"):
        assert marker not in hidden
    with visible(Visibility(drafts=True, future=True)):
        shown = "".join(text_of(url) for url in every_page)
    for marker in shown_with_flags:
        assert marker in shown


def test_a_tag_with_only_hidden_posts_does_not_exist(get):
    get("blog:tag", "secret-draft-tag", status=404)
    get("blog:tag", "future-only", status=404)
    _, tags = get("blog:tags")
    names = [a.text() for a in tags.with_class("tag", "a")]
    assert "secret-draft-tag" not in names
    with visible(Visibility(drafts=True)):
        get("blog:tag", "secret-draft-tag")


def test_tag_pages_paginate_the_tags_posts(get):
    titles = []
    for number in (1, 2, 3):
        _, page = get("blog:tag", "python") if number == 1 else get("blog:tag_page", "python", number)
        titles += summary_titles(page)
    assert len(titles) == len(set(titles)) == 5
    get("blog:tag_page", "python", 4, status=404)
    _, page = get("blog:tag", "python")
    assert page.find("h1").text() == "Posts tagged “python”"
    assert page.find("link", type="application/rss+xml", title="Fixture Field Notes: python") is not None


def test_tag_list_counts_visible_posts(get):
    _, page = get("blog:tags")
    counts = {
        li.find("a").text(): li.with_class("tag-count")[0].text() for li in page.with_class("tag-cloud")[0].iter("li")
    }
    assert counts["python"] == "(5)"
    assert counts["日本語"] == "(1)"
    assert list(counts) == sorted(counts, key=lambda name: name)


def test_unicode_tag_url(get):
    url = reverse("blog:tag", args=["日本語"])
    assert url == "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/"
    assert link("blog:tag", "日本語") == "/sub/path" + url
    _, page = get("blog:tag", "日本語")
    assert summary_titles(page) == ["日本語の投稿"]


def test_archive_groups_by_year_and_month(get):
    _, page = get("blog:archive")
    years = [h.text() for h in page.iter("h2")]
    assert years == ["2024", "2016"]
    months = [h.text() for h in page.iter("h3")]
    assert months == ["July", "June", "May", "April", "March", "February", "January", "November"]
    assert page.find("p").text() == "8 posts."


def test_page_and_navigation(get):
    _, page = get("blog:page", "about")
    assert page.find("h1").text() == "About this site"
    nav = [a.get("href") for a in page.find("nav", class_="site-nav").iter("a")]
    assert link("blog:page", "about") in nav
    get("blog:page", "nothing-here", status=404)


def test_alias_is_a_redirect_page(get):
    _, page = get("blog:alias", "old/path/index.html")
    target = "https://example.org/sub/path/2024/01/yaml-features/"
    assert canonical_url(page) == target
    assert page.find("meta", http_equiv="refresh").get("content") == f"0; url={target}"
    get("blog:alias", "draft-alias/index.html", status=404)
    get("blog:alias", "never/was/index.html", status=404)


def test_robots_txt(get):
    response, _ = get("blog:robots")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: https://example.org/sub/path/sitemap.xml" in response.content.decode().splitlines()


def test_code_css_holds_light_and_dark_rules(get):
    response, _ = get("blog:code_css")
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert ".highlight .k" in css
    assert "@media (prefers-color-scheme: dark)" in css


def test_search_without_a_search_engine_id_searches_google_for_the_site(get):
    _, page = get("blog:search")
    form = page.find("main").find("form")
    assert form.get("action") == "https://www.google.com/search"
    assert form.find("input", name="sitesearch").get("value") == "example.org/sub/path"


def test_canonical_url_uses_base_url_never_the_request_host(get):
    _, page = get("blog:tag", "日本語")
    canonical = canonical_url(page)
    assert canonical.startswith("https://example.org/")
    assert canonical.endswith("/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/")


@pytest.fixture
def search_setting(built_site):
    """``use(**changes)``: the fixture site's settings with ``changes``, for one test."""
    original = active_site()
    yield lambda **changes: activate_site(dataclasses.replace(original, **changes))
    activate_site(original)


def search_scripts(page) -> list[str]:
    return [src for script in page.find_all("script") if "js/search" in (src := script.get("src") or "")]


def test_a_site_without_google_set_up_searches_itself_with_pagefind(get):
    _, page = get("blog:search")
    form = page.find("main").find("form")
    # The form works without JavaScript: a Google search of the site.
    assert form.get("action") == "https://www.google.com/search"
    assert form.find("input", name="sitesearch").get("value") == "example.org/sub/path"
    # static/js/search.js turns it into Pagefind's search, with these.
    assert form.get("data-search-page") == link("blog:search")
    assert form.get("data-pagefind-bundle") == link("blog:index") + "pagefind/"
    assert len(search_scripts(page)) == 1
    assert page.find(id="search-results") is not None
    assert page.find(id="search-options").get("hidden") is not None
    assert page.find(id="search-web") is None


def indexed_parts(page) -> list:
    return [element for element in page.iter() if "data-pagefind-body" in element.attrs]


def test_pagefind_indexes_post_and_page_bodies_and_no_list_page(get):
    _, post = get("blog:post", "2024/01/yaml-features")
    (body,) = indexed_parts(post)
    assert body.tag == "article"
    assert body.find(**{"data-pagefind-meta": "title"}).text() == "Everything Markdown can do here"
    tags = body.with_class("tag", "a")
    assert [a.text() for a in tags] == ["python", "markdown"]
    assert all(a.get("data-pagefind-filter") == "tag" for a in tags)
    _, about = get("blog:page", "about")
    assert [element.tag for element in indexed_parts(about)] == ["article"]
    for name in ("blog:index", "blog:tags", "blog:archive", "blog:search"):
        _, page = get(name)
        assert indexed_parts(page) == [], name


def test_search_both_adds_a_google_link_after_the_results(get, search_setting):
    search_setting(search="both")
    _, page = get("blog:search")
    google = page.find(id="search-web")
    assert google.text() == "Search the web with Google"
    assert google.get("href").startswith("https://www.google.com/search?q=site%3Aexample.org")
    elements = list(page.find("main").iter())
    assert elements.index(page.find(id="search-results")) < elements.index(google)


def test_search_google_keeps_the_programmable_search_engine(get, search_setting):
    search_setting(google_cse_id="0123:abc")
    _, page = get("blog:search")
    assert search_scripts(page) == []
    assert any("cse.google.com" in (script.get("src") or "") for script in page.find_all("script"))
    form = page.find("header").find("form")
    assert form.get("action") == link("blog:search")
    assert form.get("data-pagefind-bundle") is None

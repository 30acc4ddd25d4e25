"""blog/templatetags/blog_tags.py: the summary tag that list pages reuse, and {% url %} reversing once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

import pytest
from django.template import engines
from django.test.utils import override_script_prefix
from django.urls import NoReverseMatch, reverse

from blog.models import Post
from blog.site_index import bump_generation, site_index
from blog.siteconfig import active_site
from blog.visibility import Visibility, visible

from .html_tree import parse_html

SUMMARY_TAG = "{% post_summary post %}"
SUMMARY_INCLUDE = '{% include "includes/post_summary.html" %}'


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render({"site": active_site(), **context})


def post_titled(title: str):
    return next(post for post in site_index().posts if post.title == title)


def badges(html: str) -> list[str]:
    return [badge.text() for badge in parse_html(html).with_class("badge")]


@pytest.mark.parametrize("title", ["Counting words with Ruby", "Three headings and no comments"])
def test_the_tag_renders_what_the_include_renders(site_db, title):
    post = post_titled(title)
    tagged = render(SUMMARY_TAG, post=post)
    summary = parse_html(tagged).with_class("post-summary", "article")[0]
    assert summary.find("h2").text() == title
    assert summary.find("a").get("href") == post.get_absolute_url()
    assert tagged == render(SUMMARY_INCLUDE, post=post)
    # The second time comes from the post's memo, and is the same.
    assert render(SUMMARY_TAG, post=post) == tagged


def test_a_summary_follows_the_site_settings(site_db):
    post = post_titled("Counting words with Ruby")
    with_comments = parse_html(render(SUMMARY_TAG, post=post))
    assert with_comments.with_class("comment-count", "a")
    no_disqus = dataclasses.replace(active_site(), disqus_shortname="")
    without = parse_html(engines["django"].from_string(SUMMARY_TAG).render({"site": no_disqus, "post": post}))
    assert not without.with_class("comment-count", "a")


def test_a_scheduled_post_loses_its_badge_when_its_time_comes(site_db):
    # The preview's rule has no fixed "now": the same post object, kept by the
    # site index, is scheduled until its date passes.
    with visible(Visibility(future=True, now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))):
        post = post_titled("A letter to the future")
        assert badges(render(SUMMARY_TAG, post=post)) == ["Scheduled"]
    with visible(Visibility(future=True, now=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))):
        assert badges(render(SUMMARY_TAG, post=post)) == []


def test_a_list_page_shows_a_post_summary_again_after_the_content_changes(site_db, client):
    """What the content sync does on an edit: the row's new fields, with its
    new digests (``row_digest``, ``index_digest``), and a new generation; the
    site index then reads the post again, into a new object that carries no
    memo."""

    def summaries() -> dict[str, str]:
        page = parse_html(client.get(reverse("blog:tag", args=["ruby"])).content.decode())
        return {
            article.find("h2").text(): article.with_class("summary", "div")[0].text()
            for article in page.with_class("post-summary", "article")
        }

    before = summaries()
    assert before["Counting words with Ruby"] != "Rewritten opening."
    post = Post.objects.get(title="Counting words with Ruby")
    post.title, post.summary_html = "Counting words, again", "<p>Rewritten opening.</p>"
    post.index_digest = post.digest_indexed(list(post.tag_list))
    post.row_digest = post.digest_row()
    post.save()
    bump_generation()
    after = summaries()
    assert after["Counting words, again"] == "Rewritten opening."
    assert "Counting words with Ruby" not in after


def url_tag(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("prefix", ["/", "/sub/path/", "/other/"])
def test_url_follows_the_script_prefix(db, prefix):
    with override_script_prefix(prefix):
        # Twice: the second answer comes from memory, and must still be this prefix's.
        for _ in range(2):
            assert url_tag("{% url 'blog:archive' %}") == f"{prefix}archive/"
            assert url_tag("{% url 'blog:tag' slug %}", slug="日本語") == reverse("blog:tag", args=["日本語"])
            assert url_tag("{% url 'blog:tag_page' tag=slug page=2 %}", slug="a&b") == html.escape(
                reverse("blog:tag_page", kwargs={"tag": "a&b", "page": 2})
            )


def test_url_as_a_variable_and_with_changing_arguments(db):
    source = "{% url 'blog:index_page' number as link %}[{{ link }}]"
    assert url_tag(source, number=2) == f"[{reverse('blog:index_page', args=[2])}]"
    assert url_tag(source, number=3) == f"[{reverse('blog:index_page', args=[3])}]"
    assert url_tag("{% url 'blog:nope' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        url_tag("{% url 'blog:nope' %}")

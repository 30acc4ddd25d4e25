"""Links to other sources become markers when Markdown is rendered, never
inside code; which rows need the render-time rewrite."""

from __future__ import annotations

import pytest

from blog.content.internal_links import link_candidates, needs_rewrite, source_link
from blog.content.markdown import render_markdown
from blog.errors import ContentError

from .html_tree import parse_html


def test_source_link_is_the_marker_of_the_contract():
    assert source_link("posts/2013/hello.md") == "blog-source:posts/2013/hello.md"
    assert source_link("posts/2013/hello.md", "intro") == "blog-source:posts/2013/hello.md#intro"


def test_links_to_sources_become_markers():
    text = (
        "[zola](@/blog/foo.md#intro) [relative](../other.md) [root](/pages/about.md) "
        "[bundle](./bundle/index.md) [web](https://example.org/x.md) [plain](/2015/03/x/)"
    )
    rendered = render_markdown(text, "posts/2013/hello.md")
    hrefs = [a.get("href") for a in parse_html(rendered.html).iter("a")]
    assert hrefs == [
        "blog-source:posts/blog/foo.md#intro",
        "blog-source:posts/other.md",
        "blog-source:pages/about.md",
        "blog-source:posts/2013/bundle/index.md",
        "https://example.org/x.md",
        "/2015/03/x/",
    ]
    candidates = [target.candidates for target in rendered.links.targets]
    assert candidates[0] == ["posts/blog/foo.md", "blog/foo.md"]
    assert candidates[2] == ["pages/about.md", "posts/pages/about.md"]


def test_code_spans_and_blocks_are_never_rewritten():
    text = "`[a](@/x.md)`\n\n```\n[b](other.md)\n```\n\n    [c](third.md)\n"
    rendered = render_markdown(text, "posts/hello.md")
    assert rendered.links.targets == []
    assert "blog-source:" not in rendered.html
    assert "[a](@/x.md)" in parse_html(rendered.html).find("code").text()


def test_the_root_section_is_the_home_page():
    rendered = render_markdown("[home](@/_index.md)", "posts/hello.md")
    assert parse_html(rendered.html).find("a").get("href") == "/"


def test_a_link_leaving_the_content_folder_is_an_error():
    with pytest.raises(ContentError, match="outside the content folder"):
        link_candidates("posts/hello.md", "../../../etc/passwd.md")
    rendered = render_markdown("[out](../../x.md)", "posts/hello.md")
    assert [href for href, _error in rendered.links.errors] == ["../../x.md"]


@pytest.mark.parametrize(
    ("source", "html", "expected"),
    [
        ("posts/a.md", '<p><a href="https://example.org/">x</a> <a href="#top">t</a></p>', False),
        ("posts/a.md", '<p><img src="shot.png"></p>', False),
        ("posts/a/index.md", '<p><img src="shot.png"></p>', True),
        ("posts/a/index.md", '<p><a href="#fn:1">1</a> <a href="mailto:x@example.org">m</a></p>', False),
        ("posts/a.md", '<p><img src="/images/shot.png"></p>', True),
        ("posts/a.md", '<p><a href="//cdn.example.org/x">x</a></p>', False),
        ("posts/a.md", '<p><a href="blog-source:posts/b.md">b</a></p>', True),
    ],
)
def test_which_rows_need_the_render_time_rewrite(source, html, expected):
    assert needs_rewrite(source, html) is expected

"""blog/content/html_text.py: plain text, shortening, and summaries safe to repeat."""

from __future__ import annotations

import pytest

from blog.content.html_text import plain_text, summary_fragment, truncate_words

from .html_tree import parse_html


def test_plain_text_drops_tags_decodes_entities_and_collapses_space():
    assert plain_text("<p>Fish &amp; chips</p>\n\n<p>cost &lt;5&gt;\t€</p>") == "Fish & chips cost <5> €"


def test_plain_text_keeps_words_apart_across_tags():
    assert plain_text("<li>one</li><li>two</li>") == "one two"


def test_truncate_words_leaves_short_text_alone():
    assert truncate_words("short enough", 20) == "short enough"


@pytest.mark.parametrize("limit", [5, 12, 16, 23])
def test_truncate_words_cuts_at_a_word_boundary(limit):
    text = "one two three, four five six"
    cut = truncate_words(text, limit)
    assert len(cut) <= limit
    assert cut.endswith("…")
    kept = cut.removesuffix("…")
    assert text.startswith(kept)
    assert text[len(kept)] in " ,"
    assert not kept.endswith((",", " "))


FRAGMENT = (
    '<p id="intro" class="lead">A note<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>'
    ' on fish &amp; chips, <img src="/a.png" alt="say &quot;hi&quot;"><br>done.</p>'
    '<h2 id="more">More<a class="headerlink" href="#more" title="Link">#</a></h2><!-- more -->'
)


def test_summary_fragment_has_no_ids_footnote_markers_or_permalinks():
    summary = parse_html(summary_fragment(FRAGMENT))
    assert not [e for e in summary.iter() if e.get("id") is not None]
    assert summary.find("sup") is None
    assert not summary.with_class("headerlink")
    assert not [a for a in summary.iter("a") if (a.get("href") or "").startswith("#")]


def test_summary_fragment_keeps_everything_else():
    summary = parse_html(summary_fragment(FRAGMENT))
    assert summary.errors == []
    assert summary.find("p").get("class") == "lead"
    assert summary.find("p").text() == "A note on fish & chips, done."
    assert summary.find("img").attrs == {"src": "/a.png", "alt": 'say "hi"'}
    assert summary.find("br") is not None
    assert summary.find("h2").text() == "More"


def test_summary_fragment_keeps_entities_escaped():
    assert "&amp;" in summary_fragment("<p>a &amp; b &#60;c&#62;</p>")
    assert "&#60;c&#62;" in summary_fragment("<p>a &amp; b &#60;c&#62;</p>")


def test_summary_fragment_drops_nested_content_of_dropped_elements():
    html = '<p>x<sup id="fnref:2"><a href="#fn:2"><span>2</span></a></sup>y</p>'
    assert summary_fragment(html) == "<p>xy</p>"


def test_feed_links_in_a_srcset_are_made_absolute():
    from blog.content.html_text import absolute_links

    fragment = '<source srcset="../../i/a.480w.1.webp 480w, /i/a.960w.2.webp 960w"><img src="a.png">'
    assert absolute_links(fragment, "https://example.org/blog/2024/01/post/") == (
        '<source srcset="https://example.org/blog/2024/i/a.480w.1.webp 480w, https://example.org/i/a.960w.2.webp 960w">'
        '<img src="https://example.org/blog/2024/01/post/a.png">'
    )

"""blog/content/markdown.py: Markdown to HTML, summaries, TOC and highlighting."""

from __future__ import annotations

import re

import markdown
import pytest
from pygments.formatters.html import HtmlFormatter

from blog.content.frontmatter import split_front_matter
from blog.content.markdown import (
    EXTENSION_CONFIGS,
    EXTENSIONS,
    TOC_MIN_HEADINGS,
    WORDS_PER_MINUTE,
    _HtmlFormatter,
    render_markdown,
    renderer_fingerprint,
)

from .conftest import SITE_FIXTURE
from .html_tree import parse_html


def render_fixture(name: str):
    text = (SITE_FIXTURE / "posts" / name).read_text(encoding="utf-8")
    return render_markdown(split_front_matter(text).body)


def token_classes(block) -> set[str]:
    return {c for span in block.iter("span") for c in span.classes()}


def test_jekyll_highlight_block_is_highlighted_by_pygments():
    rendered = render_fixture("2016-11-21-jekyll-post.md")
    assert "{%" not in rendered.html
    page = parse_html(rendered.html)
    blocks = page.with_class("highlight", "div")
    assert len(blocks) == 1
    code = blocks[0].find("code")
    assert code.text().startswith("def count_words(text)")
    keywords = [span.text() for span in code.iter("span") if "k" in span.classes()]
    assert keywords == ["def", "end"]
    assert "nf" in token_classes(code)  # the function name
    # The text around the block is still Markdown paragraphs.
    assert [p.text() for p in page.find_all("p")][-1] == "The method splits on whitespace and counts the pieces."


def test_hugo_highlight_shortcode_and_liquid_raw():
    rendered = render_markdown("{{< highlight python >}}\nx = 1\n{{< /highlight >}}\n\n{% raw %}{{ x }}{% endraw %}\n")
    page = parse_html(rendered.html)
    assert {"n", "o", "mi"} <= token_classes(page.with_class("highlight")[0])
    assert page.find("p").text() == "{{ x }}"


def test_highlighted_code_may_hold_backticks():
    rendered = render_markdown('{% highlight js %}\nvar fence = "```";\n{% endhighlight %}\n\nAfter.')
    page = parse_html(rendered.html)
    assert page.with_class("highlight")[0].text() == 'var fence = "```";'
    assert page.find("p").text() == "After."


def test_fenced_code_with_a_language_is_highlighted():
    page = parse_html(render_fixture("hugo-toml.md").html)
    block = page.with_class("highlight")[0]
    assert "kn" in token_classes(block)  # "import"
    assert block.text().startswith("import tomllib")


def test_table_of_contents_from_three_headings():
    rendered = render_fixture("no-comments.md")
    assert rendered.heading_count == TOC_MIN_HEADINGS == 3
    toc = parse_html(rendered.toc_html)
    page = parse_html(rendered.html)
    targets = [a.get("href") for a in toc.iter("a")]
    assert targets == ["#first-section", "#second-section", "#a-detail"]
    assert {t[1:] for t in targets} <= page.ids()
    # The third heading is nested under the second.
    outer, inner = toc.find_all("ul")
    assert inner.parent.parent is outer
    assert [a.get("href") for a in inner.iter("a")] == ["#a-detail"]


def test_no_table_of_contents_under_three_headings():
    rendered = render_markdown("## One\n\ntext\n\n## Two\n\ntext")
    assert rendered.heading_count == 2
    assert rendered.toc_html == ""


def test_heading_ids_keep_non_latin_letters_and_are_unique():
    page = parse_html(render_markdown("## 見出し\n\n## Same\n\n## Same").html)
    ids = [h.get("id") for h in page.iter("h2")]
    assert ids[0] == "見出し"
    assert len(set(ids)) == 3


def test_summary_is_the_text_before_the_more_marker():
    rendered = render_markdown("First paragraph.\n\nSecond paragraph.\n\n<!-- more -->\n\nThe rest.")
    summary = parse_html(rendered.summary_html)
    assert [p.text() for p in summary.iter("p")] == ["First paragraph.", "Second paragraph."]


def test_summary_without_marker_is_the_first_paragraph():
    rendered = render_fixture("zola-post.md")
    summary = parse_html(rendered.summary_html)
    assert [p.text() for p in summary.iter("p")] == ["Zola nests its tags in a [taxonomies] table."]
    assert summary.find("code").text() == "[taxonomies]"


def test_summary_skips_a_leading_heading():
    summary = parse_html(render_markdown("# Title\n\nThe first paragraph.").summary_html)
    assert summary.find("h1") is None
    assert summary.find("p").text() == "The first paragraph."


def test_summary_has_no_ids_or_footnote_references():
    rendered = render_fixture("2024/yaml-features.md")
    body = parse_html(rendered.html)
    assert {"fnref:source", "fn:source", "tables"} <= body.ids()
    summary = parse_html(rendered.summary_html)
    assert summary.find("p").text() == (
        "This opening paragraph is the summary, and it has a footnote that must not follow it onto list pages."
    )
    assert not [e for e in summary.iter() if e.get("id") is not None]
    assert summary.find("sup") is None


def test_footnotes_and_tables():
    page = parse_html(render_fixture("2024/yaml-features.md").html)
    notes = page.with_class("footnote", "div")[0]
    assert [li.get("id") for li in notes.iter("li")] == ["fn:source", "fn:second"]
    rows = [[cell.text() for cell in row.children if not isinstance(cell, str)] for row in page.iter("tr")]
    assert rows == [["Generator", "Header style"], ["Jekyll", "YAML"], ["Hugo", "TOML"]]


def test_footnotes_do_not_leak_from_one_document_into_the_next():
    render_markdown("Text[^a].\n\n[^a]: A note.")
    rendered = render_markdown("Plain text.")
    assert "footnote" not in rendered.html
    assert rendered.toc_html == ""


@pytest.mark.parametrize(("words", "minutes"), [(10, 1), (WORDS_PER_MINUTE * 2, 2), (WORDS_PER_MINUTE * 5 + 3, 5)])
def test_reading_minutes(words, minutes):
    rendered = render_markdown(" ".join(["word"] * words))
    assert rendered.word_count == words
    assert rendered.reading_minutes == minutes


def test_raw_html_passes_through():
    page = parse_html(render_markdown('<div class="note">Kept <em>as is</em></div>\n\nText').html)
    assert page.with_class("note", "div")[0].text() == "Kept as is"


def test_renderer_fingerprint_is_stable_within_a_process():
    assert renderer_fingerprint() == renderer_fingerprint()
    assert re.fullmatch(r"[0-9a-f]{16}", renderer_fingerprint())


@pytest.mark.parametrize(
    "source",
    ["Text.\n\n```\nx = 1 < 2\n```\n", "Text.\n\n    x = 1 < 2\n", "Text.\n\n```nosuchlanguage\nx = 1 < 2\n```\n"],
    ids=["fenced without a language", "indented", "unknown language"],
)
def test_code_without_a_known_language_is_plain_text(source):
    page = parse_html(render_markdown(source).html)
    block = page.with_class("highlight", "div")[0]
    assert block.find("code").text() == "x = 1 < 2"
    # Plain text: no token is classified.
    assert not token_classes(block)


def test_highlighting_matches_pygments_own_formatter():
    source = "Text.\n\n```python\ndef f(x):\n    return x * 2  # double\n```\n\n```js\nlet y = `t`;\n```\n"
    plain = dict(EXTENSION_CONFIGS, codehilite={**EXTENSION_CONFIGS["codehilite"], "pygments_formatter": "html"})
    expected = markdown.Markdown(extensions=EXTENSIONS, extension_configs=plain, output_format="html").convert(source)
    assert render_markdown(source).html == expected
    assert render_markdown(source).html == expected  # the second block of a style reuses its tables


@pytest.mark.parametrize("style", ["monokai", "default"])
def test_formatter_tables_are_kept_per_style(style):
    _HtmlFormatter(style="default")
    _HtmlFormatter(style="monokai")
    assert _HtmlFormatter(style=style).class2style == HtmlFormatter(style=style).class2style
    assert _HtmlFormatter(style=style).get_style_defs(".x") == HtmlFormatter(style=style).get_style_defs(".x")

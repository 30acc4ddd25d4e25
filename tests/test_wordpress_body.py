"""Bodies: WordPress's paragraph rule, shortcodes, code languages, links."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from blog.importers.wordpress.autop import strip_block_comments, wpautop
from blog.importers.wordpress.body import to_markdown
from blog.importers.wordpress.links import LinkMap, rewrite_links
from blog.importers.wordpress.shortcodes import (
    Attachment,
    ShortcodeContext,
    convert_shortcodes,
    unknown_shortcodes,
    video_embed_url,
)


def paragraphs(html: str) -> list[str]:
    return [p.decode_contents() for p in BeautifulSoup(html, "html.parser").find_all("p")]


def test_blank_lines_make_paragraphs_and_single_breaks_make_br():
    html = wpautop("One\ntwo\n\nThree")
    assert paragraphs(html) == ["One<br/>\ntwo", "Three"]


def test_block_elements_and_pre_are_not_wrapped():
    html = wpautop("<h2>Title</h2>\nText\n\n<pre>a\n\nb</pre>\n<ul>\n<li>x</li>\n</ul>")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h2").parent is soup
    assert soup.find("pre").text == "a\n\nb"
    assert soup.find("ul").parent is soup
    assert paragraphs(html) == ["Text"]


def test_block_editor_comments_are_stripped():
    assert strip_block_comments('<!-- wp:paragraph {"x":1} -->\n<p>Hi</p>\n<!-- /wp:paragraph -->\n') == "<p>Hi</p>\n"


@pytest.mark.parametrize(
    ("shortcode", "language"),
    [
        ('[code lang="python"]x = 1[/code]', "python"),
        ('[code language="ruby"]x = 1[/code]', "ruby"),
        ('[sourcecode language="php"]x = 1[/sourcecode]', "php"),
        ("[code]x = 1[/code]", ""),
        ('<pre class="brush: js; gutter: false">x = 1</pre>', "js"),
        ('<pre class="brush:plain">x = 1</pre>', "text"),
        ('<pre class="wp-block-code"><code class="language-go">x = 1</code></pre>', "go"),
    ],
)
def test_code_becomes_fenced_code_with_its_language(shortcode, language):
    body = to_markdown(shortcode, ShortcodeContext("1"), LinkMap(set(), "/"))
    assert body.markdown == f"```{language}\nx = 1\n```\n"


def test_code_keeps_its_text_exactly_whichever_editor_stored_it():
    visual = to_markdown('[code lang="c"]if (a &lt; b &amp;&amp; c)[/code]', ShortcodeContext("1"), LinkMap(set(), "/"))
    text = to_markdown('[code lang="c"]if (a < b && c)[/code]', ShortcodeContext("1"), LinkMap(set(), "/"))
    assert visual.markdown == text.markdown == "```c\nif (a < b && c)\n```\n"


def test_shortcodes_inside_code_are_left_alone():
    body = to_markdown('[code]\n[gallery ids="1"]\n[/code]', ShortcodeContext("1"), LinkMap(set(), "/"))
    assert '[gallery ids="1"]' in body.markdown
    assert body.unknown == []


def test_caption_becomes_a_figure():
    html = convert_shortcodes(
        '[caption id="attachment_3" width="300"]<a href="/big.png"><img src="/small.png" alt="A"></a>'
        " The caption[/caption]",
        ShortcodeContext("1"),
    )
    figure = BeautifulSoup(html, "html.parser").find("figure")
    assert figure.find("a").find("img")["src"] == "/small.png"
    assert figure.find("figcaption").text == "The caption"


@pytest.mark.parametrize(
    ("url", "player"),
    [
        ("https://www.youtube.com/watch?v=abc_123-X", "https://www.youtube-nocookie.com/embed/abc_123-X"),
        ("https://youtu.be/abc123", "https://www.youtube-nocookie.com/embed/abc123"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://example.com/watch?v=abc", None),
    ],
)
def test_video_links(url, player):
    found = video_embed_url(url)
    assert (found[0] if found else None) == player


def test_embeds_and_bare_video_lines_become_frames_and_other_urls_stay_links():
    html = convert_shortcodes(
        "[embed]https://vimeo.com/1[/embed]\n\nhttps://youtu.be/xyz\n\nSee https://youtu.be/inline here\n\n"
        "[embed]https://example.com/page[/embed]",
        ShortcodeContext("1"),
    )
    soup = BeautifulSoup(html, "html.parser")
    assert [f["src"] for f in soup.find_all("iframe")] == [
        "https://player.vimeo.com/video/1",
        "https://www.youtube-nocookie.com/embed/xyz",
    ]
    assert soup.find("a")["href"] == "https://example.com/page"
    assert "See https://youtu.be/inline here" in html


def test_gallery_becomes_its_images_by_ids_or_by_parent():
    context = ShortcodeContext(
        "10", {"1": Attachment("/one.png", "One"), "2": Attachment("/two.png", "Two")}, {"10": ["2"]}
    )
    by_ids = BeautifulSoup(convert_shortcodes('[gallery ids="1,2"]', context), "html.parser")
    assert [img["src"] for img in by_ids.find_all("img")] == ["/one.png", "/two.png"]
    by_parent = BeautifulSoup(convert_shortcodes("[gallery]", context), "html.parser")
    assert [img["alt"] for img in by_parent.find_all("img")] == ["Two"]


def test_unknown_shortcodes_are_found_but_prose_in_brackets_is_not():
    text = '[audio mp3="a.mp3"] [contact-form to="x"] [footnote]x[/footnote] [sic] [1] [Note] [caption]'
    assert unknown_shortcodes(text) == ["audio", "contact-form", "footnote"]


def test_html_markdown_cannot_express_stays_html():
    body = to_markdown(
        '<p>Text</p>\n<video src="/v.mp4" controls></video>\n'
        '<figure><img src="/a.png"><figcaption>Cap</figcaption></figure>',
        ShortcodeContext("1"),
        LinkMap(set(), "/"),
    )
    assert '<video controls="" src="/v.mp4"></video>' in body.markdown
    assert "<figcaption>Cap</figcaption>" in body.markdown


def test_links_to_the_old_site_are_rewritten_and_others_kept(tmp_path):
    (tmp_path / "2020").mkdir()
    (tmp_path / "2020/a.png").write_bytes(b"png")
    links = LinkMap(
        {"old.example"},
        "/blog/",
        by_id={"5": "/blog/2020/01/five/"},
        by_path={"/2019/old-five/": "/blog/2020/01/five/"},
        uploads_dir=tmp_path,
    )
    soup = BeautifulSoup(
        '<a href="https://old.example/?p=5#c">a</a> <a href="http://www.old.example/index.php?page_id=5">b</a>'
        ' <a href="/2019/old-five">c</a> <a href="https://other.example/?p=5">d</a> <a href="relative/">e</a>'
        ' <img src="https://old.example/wp-content/uploads/2020/a.png" srcset="x 2w">'
        ' <img src="https://old.example/wp-content/uploads/2020/gone.png">'
        ' <a href="https://old.example/wp-content/uploads/../../etc/passwd">f</a>',
        "html.parser",
    )
    result = rewrite_links(soup, links)
    assert [a["href"] for a in soup.find_all("a")] == [
        "/blog/2020/01/five/#c",
        "/blog/2020/01/five/",
        "/blog/2020/01/five/",
        "https://other.example/?p=5",
        "relative/",
        "https://old.example/wp-content/uploads/../../etc/passwd",
    ]
    assert [img["src"] for img in soup.find_all("img")] == [
        "/blog/wp-content/uploads/2020/a.png",
        "https://old.example/wp-content/uploads/2020/gone.png",
    ]
    assert not soup.find("img").has_attr("srcset")
    assert result.uploads == ["2020/a.png"]
    assert result.missing == ["https://old.example/wp-content/uploads/2020/gone.png"]


def markdown_of(html: str) -> str:
    return to_markdown(html, ShortcodeContext("1"), LinkMap(set(), "/")).markdown


def test_the_read_more_mark_becomes_ours():
    assert markdown_of("Intro.\n<!--more-->\nRest.") == "Intro.\n\n<!-- more -->\n\nRest.\n"
    block_editor = "<!-- wp:more --><!--more--><!-- /wp:more --><p>B</p>"
    assert markdown_of("<p>A</p>" + block_editor) == "A\n\n<!-- more -->\n\nB\n"


def test_text_that_markdown_would_read_as_a_list_or_heading_stays_text():
    assert markdown_of("1. Not a list\n\n# not a heading\n\n- not a bullet") == (
        "1\\. Not a list\n\n\\# not a heading\n\n\\- not a bullet\n"
    )
    assert markdown_of("a_snake_case & <b>bold</b> x = y | z") == "a_snake_case & **bold** x = y | z\n"


def test_a_blockquote_with_two_paragraphs():
    quote = BeautifulSoup(wpautop("<blockquote>One\n\nTwo</blockquote>"), "html.parser").find("blockquote")
    assert "One" in quote.text and [p.text for p in quote.find_all("p")] == ["Two"]

"""blog/content/frontmatter.py: YAML, TOML and Pelican headers, and where problems are."""

from __future__ import annotations

import datetime as dt

import pytest

from blog.content.frontmatter import split_front_matter
from blog.errors import ContentError

from .conftest import SITE_FIXTURE

POSTS = SITE_FIXTURE / "posts"


def read(name: str) -> str:
    return (POSTS / name).read_text(encoding="utf-8")


def file_lines(text: str) -> list[str]:
    return text.split("\n")


def test_yaml_header_of_a_jekyll_export():
    text = read("2016-11-21-jekyll-post.md")
    front = split_front_matter(text)
    assert front.meta["layout"] == "post"
    assert front.meta["title"] == "Counting words with Ruby"
    # PyYAML cannot read "+0000" as a timestamp, so the date stays text for dates.py.
    assert front.meta["date"] == "2016-11-21 10:30:00 +0000"
    assert front.meta["categories"] == ["ruby", "scripting"]
    assert file_lines(text)[front.body_line - 1] == front.body.split("\n")[0]
    assert front.body.startswith("This post came from a Jekyll site")
    assert front.line_of("categories") == 5


def test_toml_header_of_a_hugo_post():
    front = split_front_matter(read("hugo-toml.md"))
    assert front.meta["slug"] == "hugo-style"
    assert front.meta["tags"] == ["python", "toml"]
    assert front.meta["date"] == dt.datetime(2024, 2, 10, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert front.meta["draft"] is False
    assert "+++" not in front.body


def test_toml_header_with_zola_taxonomies_table():
    front = split_front_matter(read("zola-post.md"))
    assert front.meta["taxonomies"] == {"tags": ["rust", "python"]}
    assert front.meta["date"] == dt.date(2024, 3, 1)


def test_pelican_header_keys_are_lowercased_and_end_at_the_blank_line():
    text = read("pelican-post.md")
    front = split_front_matter(text)
    assert front.meta == {
        "title": "Pelican's plain headers",
        "date": "2024-04-02 18:45",
        "tags": "python, static sites",
        "category": "notes",
        "slug": "pelican-style",
        "summary": "Headers as Key: value lines, ended by a blank line.",
    }
    assert front.body.startswith("Pelican reads a block")
    assert file_lines(text)[front.body_line - 1] == front.body.split("\n")[0]
    assert front.line_of("slug") == 5


def test_pelican_value_continues_on_indented_lines():
    front = split_front_matter("Title: A long\n  title\nTags: a\n\nBody")
    assert front.meta == {"title": "A long title", "tags": "a"}
    assert front.body == "Body"


def test_text_that_only_starts_like_a_pelican_header_is_body():
    text = "Note: this is a sentence.\nAnd the paragraph goes on.\n"
    front = split_front_matter(text)
    assert front.meta == {}
    assert front.body == text


def test_no_header_at_all():
    front = split_front_matter("# Just Markdown\n\nText.")
    assert front.meta == {}
    assert front.body_line == 1


def test_yaml_may_close_with_dots_and_crlf_line_ends_are_read():
    front = split_front_matter("---\r\ntitle: Windows\r\n...\r\nBody line\r\n")
    assert front.meta == {"title": "Windows"}
    assert front.body == "Body line\n"
    assert front.body_line == 4


def test_empty_yaml_header_is_no_keys():
    assert split_front_matter("---\n---\nBody").meta == {}


def test_unclosed_header_is_reported_on_line_1():
    with pytest.raises(ContentError) as caught:
        split_front_matter("---\ntitle: never closed\n\nBody")
    assert caught.value.line == 1
    assert "never closes" in caught.value.message
    assert "---" in caught.value.hint


def test_invalid_yaml_is_reported_at_its_line_in_the_file():
    text = "---\ntitle: fine\ndate: 2024-01-01\nsummary: a: b\n---\nBody"
    with pytest.raises(ContentError) as caught:
        split_front_matter(text)
    assert caught.value.line == 4
    assert caught.value.message.startswith("invalid YAML front matter")


def test_invalid_toml_is_reported_at_its_line_in_the_file():
    with pytest.raises(ContentError) as caught:
        split_front_matter('+++\ntitle = "fine"\ndate = not-a-date\n+++\nBody')
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid TOML front matter")


def error_line(text: str) -> int:
    with pytest.raises(ContentError) as caught:
        split_front_matter(text)
    return caught.value.line


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # An unclosed quote runs to the end of the header: the line that opens it.
        ('---\ntitle: "Hello\ndate: 2020-01-01\ntags: [a]\n---\nBody', 2),
        # ... or to the next quote, two keys later.
        ('---\nslug: a\ntitle: "Hello\ndate: x\ndescription: "foo"\nimage: b.png\n---\nBody', 3),
        ("---\ntitle: 'It's here\ndate: x\n---\nBody", 2),
        ("---\ntitle: x\ntags: [a, b\ndate: 1\nslug: c\n---\nBody", 3),
        # A mistake inside one statement keeps the parser's own line.
        ("---\ntitle: x\ntags:\n  - a\n - b\nslug: c\n---\nBody", 5),
        ('+++\ntitle = """Hello\ndate = 2020-01-01\n+++\nBody', 2),
        ('+++\ntitle = "x"\ntags = ["a", "b"\ndate = 2020-01-01\nslug = "c"\n+++\nBody', 3),
        ('+++\ntitle = "Hello\ndate = 2020-01-01\n+++\nBody', 2),
    ],
)
def test_a_syntax_error_points_at_the_line_where_the_mistake_starts(text, line):
    assert error_line(text) == line


def test_an_unclosed_quote_says_where_the_parser_gave_up():
    with pytest.raises(ContentError) as caught:
        split_front_matter('---\ntitle: "Hello\ndate: 2020-01-01\ntags: [a]\n---\nBody')
    assert "starts on line 2 is not closed" in caught.value.message
    assert "close the quote" in caught.value.hint


def test_yaml_header_must_be_a_mapping():
    with pytest.raises(ContentError) as caught:
        split_front_matter("---\n- a\n- b\n---\nBody")
    assert "not a list" in caught.value.message


def test_key_lines_count_from_the_top_of_the_file():
    front = split_front_matter("---\n# a comment\ntitle: x\n\ntags:\n  - a\n---\n")
    assert front.line_of("title") == 3
    assert front.line_of("tags") == 5
    assert front.line_of("missing") == 1

"""blog/content/reader.py: one source file to a validated SourceDocument."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from blog.content.reader import PAGE, POST, SourceDocument, read_document

from .conftest import FIXTURES, SITE_FIXTURE

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC
READER_FIXTURE = FIXTURES / "reader"


def read_file(root: Path, relative: str, kind: str = POST):
    """Read a fixture file the way the content sync does: bytes, path under posts/."""
    path = root / relative
    file_name = relative.split("/", 1)[1]
    return read_document(path.read_bytes(), f"content/{relative}", file_name, kind, STOCKHOLM)


def read_ok(root: Path, relative: str, kind: str = POST) -> SourceDocument:
    document, errors, warnings = read_file(root, relative, kind)
    assert errors == []
    assert warnings == []
    return document


def read_text(text: str, file_name: str = "post.md", kind: str = POST, data: bytes | None = None):
    return read_document(data or text.encode(), f"content/posts/{file_name}", file_name, kind, STOCKHOLM)


def errors_of(text: str, file_name: str = "post.md") -> list[str]:
    document, errors, _ = read_text(text, file_name)
    assert document is None
    return [f"{e.line}: {e.message}" for e in errors]


def test_jekyll_export_as_is():
    post = read_ok(SITE_FIXTURE, "posts/2016-11-21-jekyll-post.md")
    assert post.title == "Counting words with Ruby"
    assert post.date == dt.datetime(2016, 11, 21, 10, 30, tzinfo=UTC)
    # The date prefix is not part of the slug.
    assert post.slug == "jekyll-post"
    assert post.tags == ["ruby", "scripting"]
    assert post.extra == {"layout": "post"}
    assert post.disqus_identifier == "jekyll-post"
    assert post.comments is True
    assert post.draft is False


def test_yaml_post_with_every_feature():
    post = read_ok(SITE_FIXTURE, "posts/2024/yaml-features.md")
    # No offset: read in the site's zone, Stockholm (UTC+1 in January).
    assert post.date == dt.datetime(2024, 1, 15, 8, tzinfo=UTC)
    assert post.updated == dt.datetime(2024, 2, 1, 9, tzinfo=UTC)
    assert post.tags == ["python", "markdown"]
    assert post.aliases == ["/old/path/"]
    assert post.description == "A tour of footnotes, tables and headings."
    assert post.image == "images/diagram.png"
    assert post.series == "A tour of this generator"
    assert post.body_line == 11
    assert post.body.startswith("This opening paragraph")


def test_hugo_toml_post_with_a_slug():
    post = read_ok(SITE_FIXTURE, "posts/hugo-toml.md")
    assert post.slug == "hugo-style"
    assert post.date == dt.datetime(2024, 2, 10, 7, tzinfo=UTC)
    assert post.tags == ["python", "toml"]


def test_zola_taxonomies_are_tags():
    post = read_ok(SITE_FIXTURE, "posts/zola-post.md")
    assert post.tags == ["rust", "python"]
    assert post.date == dt.datetime(2024, 3, 1, tzinfo=STOCKHOLM)


def test_pelican_tags_as_a_comma_string_with_the_category_merged():
    post = read_ok(SITE_FIXTURE, "posts/pelican-post.md")
    assert post.tags == ["python", "static sites", "notes"]
    assert post.slug == "pelican-style"
    assert post.summary == "Headers as Key: value lines, ended by a blank line."
    assert post.date == dt.datetime(2024, 4, 2, 18, 45, tzinfo=STOCKHOLM)


def test_unicode_slug_and_tag_with_the_date_from_the_file_name():
    post = read_ok(SITE_FIXTURE, "posts/2024-05-05-日本語.md")
    assert post.slug == "日本語"
    assert post.tags == ["日本語", "python"]
    assert post.date == dt.datetime(2024, 5, 5, tzinfo=STOCKHOLM)


def test_comma_separated_tags_and_comments_off():
    post = read_ok(SITE_FIXTURE, "posts/no-comments.md")
    assert post.tags == ["markdown", "toc"]
    assert post.comments is False
    assert post.date == dt.datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_draft_and_future_posts_are_read_like_any_other():
    draft = read_ok(SITE_FIXTURE, "posts/draft.md")
    assert draft.draft is True
    future = read_ok(SITE_FIXTURE, "posts/future.md")
    assert future.draft is False
    assert future.date.year == 2099


def test_page_needs_no_date():
    page = read_ok(SITE_FIXTURE, "pages/about.md", kind=PAGE)
    assert page.kind == PAGE
    assert page.slug == "about"
    assert page.date is None
    assert page.updated == dt.datetime(2024, 3, 3, tzinfo=STOCKHOLM)


def test_index_md_takes_its_folders_name():
    assert read_ok(READER_FIXTURE, "posts/bundle/index.md").slug == "bundle"


def test_front_matter_date_wins_over_the_file_name():
    post = read_ok(READER_FIXTURE, "posts/2023-07-04-named-date.md")
    assert post.slug == "named-date"
    assert post.date == dt.datetime(2023, 8, 1, 12, tzinfo=STOCKHOLM)


def test_jekyll_published_false_redirect_from_and_other_names():
    post = read_ok(READER_FIXTURE, "posts/jekyll-unpublished.md")
    assert post.draft is True
    assert post.aliases == ["/2015/05/old-name.html"]
    assert post.updated == dt.datetime(2015, 6, 1, tzinfo=STOCKHOLM)
    assert post.summary == "Written by hand."
    assert post.extra == {"author": "Someone Else"}


def test_pelican_status_draft_and_duplicate_tags():
    post = read_ok(READER_FIXTURE, "posts/pelican-draft.md")
    assert post.draft is True
    assert post.tags == ["one", "two", "Drafts"]


def test_every_problem_in_a_file_is_reported_with_its_line():
    document, errors, _ = read_file(READER_FIXTURE, "posts/many-problems.md")
    assert document is None
    found = sorted((e.line, e.message.split(" ")[0]) for e in errors)
    assert found == [(2, "title"), (3, "date:"), (4, "tags"), (5, "slug"), (6, "comments"), (7, "alias"), (7, "alias")]
    assert all(e.path == "content/posts/many-problems.md" for e in errors)
    assert all(str(e).startswith(f"content/posts/many-problems.md:{e.line}: ") for e in errors)


def test_missing_title_and_date():
    assert errors_of("---\nslug: x\n---\nBody") == ["1: missing title", "1: missing date"]


def test_a_page_without_a_title_is_an_error_too():
    document, errors, _ = read_text("---\ndate: 2024-01-01\n---\n", "p.md", kind=PAGE)
    assert [e.message for e in errors] == ["missing title"]


@pytest.mark.parametrize(
    "slug",
    ["a/b", "..", "a..b", "what?", "#x", "100%", 'say"hi"', "<b>", ".hidden", "", "   ", "tab\there", "nul\x00"],
)
def test_unsafe_slugs_are_errors(slug):
    import json

    (problem,) = errors_of(f"---\ntitle: T\ndate: 2024-01-01\nslug: {json.dumps(slug)}\n---\n")
    assert problem.startswith("4: ")
    assert "slug" in problem


@pytest.mark.parametrize(("value", "slug"), [("'  spaced  '", "spaced"), ("42", "42"), ("Ünïcode-ok", "Ünïcode-ok")])
def test_acceptable_slugs(value, slug):
    post, errors, _ = read_text(f"---\ntitle: T\ndate: 2024-01-01\nslug: {value}\n---\n")
    assert errors == []
    assert post.slug == slug


def test_slugs_and_tags_are_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "café")
    post, _, _ = read_text(f"---\ntitle: T\ndate: 2024-01-01\nslug: {decomposed}\ntags: [{decomposed}]\n---\n")
    assert post.slug == post.tags[0] == "café" == unicodedata.normalize("NFC", "café")


def test_tags_as_a_string_or_a_list_merge_with_categories_without_duplicates():
    post, errors, _ = read_text("---\ntitle: T\ndate: 2024-01-01\ntags: a, b,, a\ncategories: [b, c, 3]\n---\n")
    assert errors == []
    assert post.tags == ["a", "b", "c", "3"]


def test_a_tag_that_is_not_text_is_an_error():
    assert errors_of("---\ntitle: T\ndate: 2024-01-01\ntags: [ok, [nested]]\n---\n") == [
        "4: tags holds list ['nested']; each tag must be text"
    ]


def test_a_bad_zola_tag_is_reported_at_its_line():
    document, errors, _ = read_text('+++\ntitle = "T"\ndate = 2024-01-01\n\n[taxonomies]\ntags = [[1]]\n+++\n')
    assert [e.line for e in errors] == [6]


def test_jekyll_space_separated_categories_are_several_tags():
    post, _, _ = read_text("---\ntitle: T\ndate: 2024-01-01\ncategories: ruby scripting\n---\n")
    assert post.tags == ["ruby", "scripting"]


@pytest.mark.parametrize(
    ("aliases", "ok"),
    [
        ("[/old/]", True),
        ("/single/string/", True),
        ("[old/]", True),  # Hugo's relative alias
        ("['//elsewhere.example/x']", False),
        ("['https://elsewhere.example/x']", False),
        ("['/a/../b/']", False),
        ("['/x/?q=1']", False),
        ("['/x/#top']", False),
        ("{a: 1}", False),
    ],
)
def test_aliases_must_be_site_relative_paths(aliases, ok):
    post, errors, _ = read_text(f"---\ntitle: T\ndate: 2024-01-01\naliases: {aliases}\n---\n")
    assert (errors == []) is ok
    if not ok:
        assert errors[0].line == 4


@pytest.mark.parametrize(
    ("image", "ok"),
    [
        ("images/a.png", True),
        ("/images/a.png", True),
        ("https://cdn.example/a.png", True),
        ("javascript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("//cdn.example/a.png", False),
        ("42", False),
    ],
)
def test_image_must_be_a_relative_path_or_an_http_url(image, ok):
    post, errors, _ = read_text(f"---\ntitle: T\ndate: 2024-01-01\nimage: {image}\n---\n")
    assert (errors == []) is ok


def test_disqus_identifier_defaults_to_the_slug_and_may_be_a_number():
    post, _, _ = read_text("---\ntitle: T\ndate: 2024-01-01\ndisqus_identifier: 123\n---\n")
    assert post.disqus_identifier == "123"
    assert errors_of("---\ntitle: T\ndate: 2024-01-01\ndisqus_identifier: [a]\n---\n") == [
        "4: disqus_identifier must be text, not list ['a']"
    ]


def test_yes_and_no_strings_are_flags():
    post, errors, _ = read_text("---\ntitle: T\ndate: 2024-01-01\ndraft: 'yes'\ncomments: 'off'\n---\n")
    assert errors == []
    assert (post.draft, post.comments) == (True, False)


def test_a_date_the_clocks_skip_is_a_warning_not_an_error():
    post, errors, warnings = read_text("---\ntitle: T\ndate: 2024-03-31 02:30\n---\n")
    assert errors == []
    assert post is not None
    assert [w.line for w in warnings] == [3]
    assert "does not exist" in warnings[0].message


def test_extra_keys_are_kept_as_json():
    post, _, _ = read_text("---\ntitle: T\ndate: 2024-01-01\nseries: {name: S, part: 2}\nwhen: 2020-01-01\n---\n")
    assert post.extra == {"series": {"name": "S", "part": 2}, "when": "2020-01-01"}


def test_a_series_table_with_a_name_names_the_series_and_stays_in_extra():
    post, _, _ = read_text("---\ntitle: T\ndate: 2024-01-01\nseries: {name: S, part: 2}\n---\n")
    assert post.series == "S"


@pytest.mark.parametrize(
    "header",
    [
        '---\ntitle: T\ndate: 2024-01-01\nseries: "Bash scripts"\n---\n',
        "---\ntitle: T\ndate: 2024-01-01\nseries: [Bash scripts]\n---\n",
        '+++\ntitle = "T"\ndate = 2024-01-01\n[taxonomies]\nseries = ["Bash scripts"]\n+++\n',
        "Title: T\nDate: 2024-01-01\nSeries: Bash scripts\n\n",
    ],
)
def test_series_from_each_header_style(header):
    post, errors, _ = read_text(header + "Body\n")
    assert errors == []
    assert post.series == "Bash scripts"
    assert "series" not in post.extra


def test_a_post_is_in_no_series_by_default():
    post, _, _ = read_text("---\ntitle: T\ndate: 2024-01-01\n---\n")
    assert post.series == ""


@pytest.mark.parametrize("value", ["[one, two]", "true", "[[nested]]"])
def test_series_that_is_not_one_name_is_an_error_at_its_line(value):
    post, errors, _ = read_text(f"---\ntitle: T\ndate: 2024-01-01\nseries: {value}\n---\n")
    assert post is None
    assert [e.line for e in errors] == [4]
    assert errors[0].message.startswith("series must be the name of one series")


def test_byte_order_mark_and_crlf():
    post, errors, _ = read_text("", data="\ufeff---\r\ntitle: T\r\ndate: 2024-01-01\r\n---\r\nBody\r\n".encode())
    assert errors == []
    assert post.title == "T"
    assert post.body == "Body\n"


def test_not_utf8_names_the_line():
    document, errors, _ = read_text("", data=b"---\ntitle: caf\xe9\n---\n")
    assert document is None
    assert errors[0].line == 2
    assert "not UTF-8" in errors[0].message


def test_empty_file():
    assert errors_of("  \n\n") == ["1: the file is empty"]

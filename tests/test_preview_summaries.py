"""List pages in the live preview reuse each post's rendered summary
(``{% post_summary %}``) until the post changes: an edited post's summary shows
on the next request, on every list that carries it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.fixture_site import copy_served_from_root
from tests.browser.preview_server import PreviewServer, start_preview

from .html_tree import parse_html

POST = "2024-09-01-memo.md"
POST_URL = "/2024/09/memo/"
LISTS = ["/", "/tags/memo-test/"]


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return copy_served_from_root(tmp_path_factory.mktemp("preview-summaries") / "content")


@pytest.fixture(scope="module")
def preview(content, tmp_path_factory) -> Iterator[PreviewServer]:
    server = start_preview(content, tmp_path_factory.mktemp("preview-summaries-cache"))
    yield server
    server.stop()


def summary_of(server: PreviewServer, path: str) -> dict[str, object]:
    """The summary of the test post on the list page at ``path``."""
    response = server.get(path)
    assert response.status == 200, response.text[:500]
    page = parse_html(response.text)
    for article in page.with_class("post-summary", "article"):
        link = article.find("h2").find("a")
        if link.get("href") == POST_URL:
            return {
                "title": link.text(),
                "summary": article.with_class("summary", "div")[0].text(),
                "badges": [badge.text() for badge in article.with_class("badge")],
                "tags": [tag.text() for tag in article.with_class("tag", "a")],
            }
    raise AssertionError(f"{path} lists no summary of {POST_URL}")


def write(content: Path, title: str, opening: str, *, draft: bool, tags: str) -> None:
    front = f'---\ntitle: "{title}"\ndate: 2024-09-01 10:00\ntags: [{tags}]\ndraft: {str(draft).lower()}\n---\n'
    (content / "posts" / POST).write_text(front + f"{opening}\n\nA second paragraph.\n", encoding="utf-8")


def test_an_edited_post_shows_its_new_summary_on_every_list(preview, content):
    write(content, "Before the edit", "The first opening.", draft=True, tags="memo-test")
    before = [summary_of(preview, path) for path in LISTS]
    assert (
        before
        == [{"title": "Before the edit", "summary": "The first opening.", "badges": ["Draft"], "tags": ["memo-test"]}]
        * 2
    )
    # Asked again with nothing changed: the reused summary is the same.
    assert [summary_of(preview, path) for path in LISTS] == before

    write(content, "After the edit", "A rewritten, longer opening.", draft=False, tags="memo-test, extra")
    after = [summary_of(preview, path) for path in LISTS]
    assert (
        after
        == [
            {
                "title": "After the edit",
                "summary": "A rewritten, longer opening.",
                "badges": [],
                "tags": ["memo-test", "extra"],
            }
        ]
        * 2
    )

"""blog/build/fragments.py: the summaries and archive entries a build keeps for
the next one, each named by its post, go when their post does."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from .html_tree import parse_html


def _fragment_sources(cache) -> set[str]:
    with closing(sqlite3.connect(cache / "blog.sqlite3")) as database:
        return {source for (source,) in database.execute("SELECT source FROM blog_summaryfragment")}


def test_the_fragments_of_a_removed_post_are_dropped(copy_fixture, build):
    content = copy_fixture("site")
    first = build(content)
    assert first.ok, first.process.stderr
    kept = _fragment_sources(first.cache)
    # Every visible post has its summary and archive entry stored.
    assert {"posts/pelican-post.md", "posts/zola-post.md"} <= kept
    (content / "posts" / "pelican-post.md").unlink()
    second = build(content)
    assert second.ok, second.process.stderr
    assert _fragment_sources(second.cache) == kept - {"posts/pelican-post.md"}


def test_a_post_made_a_theme_file_loses_its_fragments(copy_fixture, build):
    """A theme file is read but not stored as a post: its row goes, and so do its fragments."""
    content = copy_fixture("site")
    first = build(content)
    assert first.ok, first.process.stderr
    kept = _fragment_sources(first.cache)
    assert "posts/zola-post.md" in kept
    (content / "posts" / "zola-post.md").write_text('+++\ntemplate = "section.html"\n+++\n', encoding="utf-8")
    second = build(content)
    assert second.ok, second.process.stderr
    assert _fragment_sources(second.cache) == kept - {"posts/zola-post.md"}


def test_an_edited_post_gets_fragments_of_its_new_text(copy_fixture, build):
    """A post read again gets a new row and loses its fragments with the old
    one; the build that renders the pages showing it stores them again."""
    content = copy_fixture("site")
    first = build(content)
    assert first.ok, first.process.stderr
    post = content / "posts" / "zola-post.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Zola nests", "Zola keeps"), encoding="utf-8")
    second = build(content)
    assert second.ok, second.process.stderr
    assert _fragment_sources(second.cache) == _fragment_sources(first.cache)
    with closing(sqlite3.connect(second.cache / "blog.sqlite3")) as database:
        summaries = [
            html
            for (html,) in database.execute(
                "SELECT html FROM blog_summaryfragment WHERE source = 'posts/zola-post.md' AND key LIKE '%summary%'"
            )
        ]
    assert len(summaries) == 1 and "Zola keeps" in summaries[0] and "Zola nests" not in summaries[0]


def _archive_entries(cache) -> dict[str, tuple[int, str]]:
    """Each stored archive entry: its post's source -> (row id, HTML)."""
    with closing(sqlite3.connect(cache / "blog.sqlite3")) as database:
        rows = database.execute(
            "SELECT source, rowid, html FROM blog_summaryfragment WHERE key LIKE 'includes/archive_entry.html%'"
        )
        return {source: (rowid, html) for source, rowid, html in rows}


def test_a_new_title_renders_one_archive_entry_and_reuses_the_others(copy_fixture, build):
    """The archive reads its stored entries together ({% archive_entries %}):
    after one post's new title only that entry is rendered and stored again
    (a stored row is replaced, with a new row id, only when it is rendered)."""
    content = copy_fixture("site")
    first = build(content)
    assert first.ok, first.process.stderr
    before = _archive_entries(first.cache)
    assert len(before) >= 5
    post = content / "posts" / "zola-post.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("Zola keeps tags under taxonomies", "Zola files tags away"),
        encoding="utf-8",
    )
    second = build(content)
    assert second.ok, second.process.stderr
    after = _archive_entries(second.cache)
    assert after.keys() == before.keys()
    changed = {source for source in after if after[source] != before[source]}
    assert changed == {"posts/zola-post.md"}
    assert "Zola files tags away" in after["posts/zola-post.md"][1]
    archive = parse_html(second.read("archive/index.html"))
    titles = [link.text() for entries in archive.with_class("archive-list", "ul") for link in entries.iter("a")]
    assert "Zola files tags away" in titles and "Zola keeps tags under taxonomies" not in titles

"""blog/build/fragments.py: the summaries and archive entries a build keeps for
the next one, each named by its post, go when their post does."""

from __future__ import annotations

import sqlite3
from contextlib import closing


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

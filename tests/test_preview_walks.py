"""Which of the preview's requests walk the content folder (blog/preview.py,
``sync_for_request``): all of them until the file watcher has reported a
change; after that, only those after a change it reported since the last
good sync began its walk. The watcher and the thread that syncs after a save
are played by the test, in the order the server runs them; the content folder
and the database are real."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from blog import preview
from blog.errors import ContentErrors
from blog.models import Post
from blog.siteconfig import activate_site


@dataclass
class Served:
    folder: Path
    # Each walk of the content folder, in order.
    walks: list[str] = field(default_factory=list)


@pytest.fixture
def content(db, copy_fixture, monkeypatch) -> Iterator[Served]:
    """The minimal fixture as the preview's content folder, with the preview's
    state as a fresh server's, and every walk of the folder counted."""
    served = Served(copy_fixture("minimal").resolve())
    folder = served.folder
    monkeypatch.setattr(preview, "_content_dir", folder)
    monkeypatch.setattr(preview, "_synced_files", None)
    monkeypatch.setattr(preview, "_reported", 0)
    monkeypatch.setattr(preview, "_walked_at", 0)
    # The thread that syncs after a save is played by the test (saved_and_prepared).
    monkeypatch.setattr(preview, "_prepare_soon", lambda: None)
    monkeypatch.setattr(preview, "_last_report", [])
    walk = preview.list_content

    def counted(folder):
        served.walks.append(str(folder))
        return walk(folder)

    monkeypatch.setattr(preview, "list_content", counted)
    yield served
    # The sync made the fixture's site the active one.
    activate_site(None)


def post_file(content: Served, text: str) -> Path:
    path = content.folder / "posts" / "only-post.md"
    path.write_text(f'---\ntitle: "{text}"\ndate: 2024-01-01\n---\nBody.\n', encoding="utf-8")
    return path


def saved_and_prepared(content: Served, text: str) -> None:
    """Save the post, the watcher reports it, and the preparing thread syncs it."""
    preview._content_changed(post_file(content, text))
    preview.sync()


def titles() -> list[str]:
    return list(Post.objects.values_list("title", flat=True))


def test_every_request_walks_the_folder_until_the_watcher_reports_a_change(content):
    for _ in range(3):
        preview.sync_for_request()
    assert len(content.walks) == 3
    # Without a watcher (runserver --noreload), a saved file shows on the next request.
    post_file(content, "Saved with no watcher")
    preview.sync_for_request()
    assert titles() == ["Saved with no watcher"]


def test_after_a_reported_change_is_synced_requests_do_not_walk_until_the_next(content):
    preview.sync_for_request()
    saved_and_prepared(content, "First save")
    walked = len(content.walks)
    for _ in range(3):  # the reload, and the page's images
        preview.sync_for_request()
    assert len(content.walks) == walked
    assert titles() == ["First save"]

    # Reported, but not yet synced by the preparing thread: the request syncs it.
    preview._content_changed(post_file(content, "Second save"))
    preview.sync_for_request()
    assert len(content.walks) == walked + 1
    assert titles() == ["Second save"]
    preview.sync_for_request()
    assert len(content.walks) == walked + 1


def test_a_change_reported_while_the_folder_is_walked_is_synced_by_the_next_request(content, monkeypatch):
    preview.sync_for_request()
    saved_and_prepared(content, "First save")
    walk = preview.list_content
    added = content.folder / "posts" / "added.md"

    def walk_then_add(folder):
        # The walk is over when the author adds a post.
        files = walk(folder)
        added.write_text('---\ntitle: "Added during the walk"\ndate: 2024-02-01\n---\nBody.\n', encoding="utf-8")
        preview._content_changed(added)
        return files

    monkeypatch.setattr(preview, "list_content", walk_then_add)
    preview._content_changed(post_file(content, "Second save"))
    preview.sync()
    assert titles() == ["Second save"]
    monkeypatch.setattr(preview, "list_content", walk)
    preview.sync_for_request()
    assert sorted(titles()) == ["Added during the walk", "Second save"]


def test_after_a_failed_sync_every_request_walks_until_one_succeeds(content):
    preview.sync_for_request()
    saved_and_prepared(content, "First save")
    path = content.folder / "posts" / "only-post.md"
    path.write_text('---\ntitle: "Unclosed\n---\nBody.\n', encoding="utf-8")
    preview._content_changed(path)
    with pytest.raises(ContentErrors):
        preview.sync()
    walked = len(content.walks)
    for _ in range(2):
        with pytest.raises(ContentErrors):
            preview.sync_for_request()
    assert len(content.walks) == walked + 2

    saved_and_prepared(content, "Fixed")
    walked = len(content.walks)
    preview.sync_for_request()
    assert len(content.walks) == walked
    assert titles() == ["Fixed"]

"""``manage.py new_post`` and ``blog.scaffold``: a new post that builds as written."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.content.frontmatter import split_front_matter
from blog.content.reader import POST, read_document
from blog.content.scaffold import MAX_SLUG_BYTES, NewPost, PostExists, create_post, front_matter, post_slug, split_tags
from tests.conftest import ROOT

# 23:30 UTC on 9 March is already 10 March in Auckland (+13:00).
NOW = dt.datetime(2024, 3, 9, 23, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "site.toml").write_text('time_zone = "Pacific/Auckland"\n', encoding="utf-8")
    return folder


def read_back(path: Path, zone: str = "Pacific/Auckland"):
    """The post as the build's reader sees it."""
    document, errors, warnings = read_document(
        path.read_bytes(), str(path), path.relative_to(path.parent.parent).as_posix(), POST, ZoneInfo(zone)
    )
    assert errors == []
    assert warnings == []
    return document


def test_the_file_is_dated_now_in_the_sites_time_zone(content):
    path = create_post(content, NewPost("Hello, world", tags=["python", "django"], draft=True), now=NOW)
    assert path == content / "posts" / "2024-03-10-hello-world.md"
    document = read_back(path)
    assert document.title == "Hello, world"
    assert document.slug == "hello-world"
    assert document.date == NOW.replace(microsecond=0)
    assert document.date.utcoffset() == dt.timedelta(hours=13)
    assert document.tags == ["python", "django"]
    assert document.draft is True


def test_without_site_toml_the_date_is_in_utc(tmp_path):
    path = create_post(tmp_path, NewPost("No settings"), now=NOW)
    assert path.name == "2024-03-09-no-settings.md"
    document = read_back(path, "UTC")
    assert document.date == NOW.replace(microsecond=0)
    assert document.tags == []
    assert document.draft is False


def test_an_existing_file_is_never_overwritten(content):
    path = create_post(content, NewPost("Only once"), now=NOW)
    path.write_text("---\ntitle: Only once\n---\nMy words.\n", encoding="utf-8")
    with pytest.raises(PostExists) as raised:
        create_post(content, NewPost("Only once", draft=True), now=NOW + dt.timedelta(minutes=5))
    assert raised.value.path == path
    assert path.read_text(encoding="utf-8") == "---\ntitle: Only once\n---\nMy words.\n"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, world", "hello-world"),
        ("Ünïcode and 日本語", "ünïcode-and-日本語"),
        ("🎉🎉🎉", "post"),
        ("  Spaces   everywhere ", "spaces-everywhere"),
    ],
)
def test_slugs_keep_letters_of_any_script(title, slug):
    assert post_slug(title) == slug


def test_a_very_long_title_gets_a_file_name_the_file_system_accepts(content):
    title = " ".join(["ötzi"] * 120)
    path = create_post(content, NewPost(title), now=NOW)
    assert len(post_slug(title).encode()) <= MAX_SLUG_BYTES
    assert not post_slug(title).endswith("-")
    assert read_back(path).title == title


def test_tags_are_split_on_commas_trimmed_and_not_repeated():
    assert split_tags(" python, django,,python , web dev ") == ["python", "django", "web dev"]
    assert split_tags("") == []


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(st.characters(exclude_categories=["Cs"]), min_size=1).filter(lambda t: t.strip() == t and t),
    tags=st.lists(st.text(st.characters(exclude_categories=["Cs"]), min_size=1), max_size=3),
    draft=st.booleans(),
)
def test_front_matter_reads_back_as_written_whatever_the_title(title, tags, draft):
    text = front_matter(NewPost(title, tags=tags, draft=draft), NOW)
    meta = split_front_matter(text).meta
    assert meta["title"] == title
    assert meta["tags"] == tags
    assert meta["draft"] is draft


def test_the_command_prints_the_path_and_writes_the_post(content, monkeypatch):
    monkeypatch.chdir(content.parent)
    out = StringIO()
    call_command("new_post", "From the command", "--tags", "a, b", "--draft", "--content", str(content), stdout=out)
    (printed,) = out.getvalue().splitlines()
    path = content.parent / printed
    assert path.parent == content / "posts"
    assert path.name.endswith("-from-the-command.md")
    document = read_back(path)
    assert (document.title, document.tags, document.draft) == ("From the command", ["a", "b"], True)
    # Dated now: within a minute of the clock, in Auckland.
    assert abs(document.date - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert path.name.startswith(document.date.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%Y-%m-%d-"))


def test_the_command_refuses_an_empty_title(content):
    with pytest.raises(CommandError, match="title is empty"):
        call_command("new_post", "   ", "--content", str(content))
    assert not (content / "posts").exists()


def test_the_command_reports_a_broken_site_toml(content):
    (content / "site.toml").write_text('time_zone = "Mars/Olympus"\n', encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="site.toml"):
        call_command("new_post", "Anything", "--content", str(content), stderr=err)
    assert "unknown time_zone 'Mars/Olympus'" in err.getvalue()


def test_the_command_exits_1_rather_than_overwrite(content):
    """As an author runs it: a real process, its exit status and its message."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "new_post", "Twice", "--content", str(content)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=60,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    original = path.read_text(encoding="utf-8")
    second = run()
    if second.returncode == 0:
        # The clock passed midnight in Auckland between the two runs: a new day, a new file.
        assert Path(second.stdout.strip()) != path
        return
    assert second.returncode == 1
    assert f"{path} already exists; it was not changed" in second.stderr
    assert path.read_text(encoding="utf-8") == original

"""The same content gives the same bytes: no build timestamps, no dependence on
the order the file system lists files in, and a stable order for posts that
share a date."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from .conftest import ROOT, SITE_FIXTURE, Build, build_env, run_build
from .html_tree import parse_html
from .output_trees import tree_difference, tree_digest

ATOM = "{http://www.w3.org/2005/Atom}"

# Runs manage.py with os.listdir and os.scandir listing every folder in reverse
# name order: a file system that lists files in another order than this one.
REVERSED_LISTING = """
import os, runpy, sys

_listdir, _scandir = os.listdir, os.scandir


def listdir(path="."):
    return sorted(_listdir(path), reverse=True)


class _Entries:
    def __init__(self, entries):
        self._iterator = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iterator)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass


def scandir(path="."):
    with _scandir(path) as entries:
        return _Entries(sorted(entries, key=lambda entry: entry.name, reverse=True))


os.listdir, os.scandir = listdir, scandir
sys.argv = sys.argv[1:]  # ["manage.py", "build", ...]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def copy_in_reverse_order(source: Path, target: Path) -> None:
    """Copy a content folder creating files and folders in reverse name order
    (listing order follows creation order on some file systems, e.g. tmpfs).
    Modification times are kept, as a sync tool such as rsync -a keeps them."""
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*"), reverse=True):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def build_with_reversed_listing(content: Path, output: Path, cache: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", REVERSED_LISTING, "manage.py", "build"]
    command += ["--content", str(content), "--output", str(output), "--cache-dir", str(cache)]
    return subprocess.run(command, capture_output=True, text=True, env=build_env(), cwd=ROOT, timeout=300)


def test_building_twice_gives_identical_trees(site_build, tmp_path):
    first = tree_digest(site_build.output)
    # Long enough for any clock-derived value with one-second resolution to change.
    time.sleep(2)
    again = run_build(SITE_FIXTURE, tmp_path / "output", tmp_path / "cache")
    assert again.ok, again.process.stderr
    second = tree_digest(again.output)
    assert second == first, tree_difference(first, second)


def test_another_listing_order_and_folder_give_identical_trees(site_build, tmp_path):
    content = tmp_path / "elsewhere" / "my content"
    copy_in_reverse_order(SITE_FIXTURE, content)
    process = build_with_reversed_listing(content, tmp_path / "output", tmp_path / "cache")
    assert process.returncode == 0, process.stderr
    first, second = tree_digest(site_build.output), tree_digest(tmp_path / "output")
    assert second == first, tree_difference(first, second)


def test_a_fresh_clone_of_the_content_gives_identical_trees(site_build, tmp_path):
    # As git clone does on a CI runner: same bytes, new modification times.
    content = tmp_path / "clone"
    shutil.copytree(SITE_FIXTURE, content, copy_function=shutil.copyfile)
    build = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert build.ok, build.process.stderr
    first, second = tree_digest(site_build.output), tree_digest(build.output)
    assert second == first, tree_difference(first, second)


def test_the_reversed_listing_really_reverses(tmp_path):
    """The wrapper above changes what the build sees, or the test proves nothing."""
    for name in ("b", "a", "c"):
        (tmp_path / name).write_text(name)
    probe = REVERSED_LISTING.replace(
        'runpy.run_path(sys.argv[0], run_name="__main__")',
        "folder = sys.argv[1]\n"
        "print(','.join(os.listdir(folder)), ','.join(e.name for e in os.scandir(folder)),"
        " ','.join(next(os.walk(folder))[2]))",
    )
    process = subprocess.run(
        [sys.executable, "-c", probe, "probe", str(tmp_path)], capture_output=True, text=True, check=True, timeout=60
    )
    assert process.stdout.split() == ["c,b,a"] * 3


# Posts for the ordering and feed-date tests: four share one date-time, in
# files whose names sort in another order than their slugs.
SAME_TIME = "2024-03-01T12:00:00+00:00"
DATED_POSTS = {
    # file name: (slug, date, updated)
    "1-first-file.md": ("delta", SAME_TIME, None),
    "2-second-file.md": ("alpha", SAME_TIME, None),
    "3-third-file.md": ("charlie", SAME_TIME, "2024-05-20T08:15:00+00:00"),
    "4-fourth-file.md": ("bravo", SAME_TIME, None),
    "5-fifth-file.md": ("echo", "2024-04-02T09:30:00+00:00", None),
    "6-sixth-file.md": ("foxtrot", "2024-02-14T18:45:00+00:00", None),
}


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory) -> Build:
    root = tmp_path_factory.mktemp("dated")
    content = root / "content"
    (content / "posts").mkdir(parents=True)
    (content / "site.toml").write_text(
        'title = "Dated"\nbase_url = "https://dated.example/"\ntime_zone = "UTC"\nposts_per_page = 20\n'
    )
    # Created in reverse file-name order, so neither creation nor name order is slug order.
    for name, (slug, date, updated) in sorted(DATED_POSTS.items(), reverse=True):
        extra = f"updated: {updated}\n" if updated else ""
        (content / "posts" / name).write_text(
            f'---\ntitle: "Post {slug}"\nslug: {slug}\ndate: {date}\n{extra}tags: [same]\n---\nBody of {slug}.\n'
        )
    build = run_build(content, root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return build


def expected_order() -> list[str]:
    """Newest first; posts with the same date by slug."""
    posts = sorted(DATED_POSTS.values(), key=lambda post: post[0])
    posts.sort(key=lambda post: dt.datetime.fromisoformat(post[1]), reverse=True)
    return [slug for slug, _date, _updated in posts]


POST_URL = re.compile(r"/\d{4}/\d{2}/([a-z]+)/$")


def slugs_linked(build: Build, page: str) -> list[str]:
    found = []
    for link in parse_html(build.read(page)).iter("a"):
        match = POST_URL.search(link.get("href") or "")
        if match and match[1] not in found:
            found.append(match[1])
    return found


@pytest.mark.parametrize("page", ["index.html", "archive/index.html", "tags/same/index.html"])
def test_posts_with_the_same_date_are_listed_by_slug(dated_site, page):
    assert slugs_linked(dated_site, page) == expected_order()


def test_feeds_list_posts_with_the_same_date_by_slug(dated_site):
    rss = ET.parse(dated_site.output / "rss.xml").getroot()
    assert [POST_URL.search(item.findtext("link"))[1] for item in rss.iter("item")] == expected_order()
    atom = ET.parse(dated_site.output / "atom.xml").getroot()
    links = [next(link.get("href") for link in entry.iter(f"{ATOM}link")) for entry in atom.iter(f"{ATOM}entry")]
    assert [POST_URL.search(link)[1] for link in links] == expected_order()


def post_dates() -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """slug: (date, updated or date), from the fixture's own table."""
    return {
        slug: (dt.datetime.fromisoformat(date), dt.datetime.fromisoformat(updated or date))
        for slug, date, updated in DATED_POSTS.values()
    }


def test_rss_dates_come_from_the_posts(dated_site):
    dates = post_dates()
    channel = ET.parse(dated_site.output / "rss.xml").getroot().find("channel")
    for item in channel.iter("item"):
        slug = POST_URL.search(item.findtext("link"))[1]
        assert parsedate_to_datetime(item.findtext("pubDate")) == dates[slug][0], slug
    last_build = channel.findtext("lastBuildDate")
    if last_build is not None:
        assert parsedate_to_datetime(last_build) == max(updated for _date, updated in dates.values())


def test_atom_dates_come_from_the_posts(dated_site):
    dates = post_dates()
    feed = ET.parse(dated_site.output / "atom.xml").getroot()
    for entry in feed.iter(f"{ATOM}entry"):
        slug = POST_URL.search(next(link.get("href") for link in entry.iter(f"{ATOM}link")))[1]
        assert dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == dates[slug][1], slug
        published = entry.findtext(f"{ATOM}published")
        if published is not None:
            assert dt.datetime.fromisoformat(published) == dates[slug][0], slug
    feed_updated = dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated"))
    assert feed_updated == max(updated for _date, updated in dates.values())

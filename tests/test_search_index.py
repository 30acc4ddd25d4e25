"""Pagefind's index in the build (blog/build/search.py, blog/search_bundle.py):
made in the staging folder from the posts and pages only, kept when no
indexed page changed, the same bytes for the same pages."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from blog.search_bundle import write_bundle
from tests.conftest import FIXTURES, run_build
from tests.html_tree import parse_html

FIXTURE = FIXTURES / "search"
# Pagefind's fragments are gzipped JSON after this signature.
FRAGMENT_SIGNATURE = b"pagefind_dcd"
POST_URLS = {
    "/2024/01/tide-tables/",
    "/2024/02/knots/",
    "/2024/03/parsing-logs/",
    "/2024/04/bread/",
}


def fragments(output: Path, bundle: str = "pagefind") -> dict[str, dict]:
    """Each indexed page's fragment in one shard's bundle, by the URL Pagefind gives it."""
    found = {}
    for path in (output / bundle / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(FRAGMENT_SIGNATURE), path
        fragment = json.loads(data[len(FRAGMENT_SIGNATURE) :])
        found[fragment["url"]] = fragment
    return found


def bundle_files(output: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the bundle: its bytes and modification time."""
    bundle = output / "pagefind"
    return {
        path.relative_to(bundle).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in bundle.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("search")
    build = run_build(FIXTURE, work / "output", work / "cache")
    assert build.ok, build.process.stderr
    return build


@pytest.fixture
def site(tmp_path):
    """A copy of the fixture, and a function that builds it into tmp_path/output."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)

    def build(*extra: str):
        result = run_build(content, tmp_path / "output", tmp_path / "cache", *extra)
        assert result.ok, result.process.stderr
        return result

    return content, build


def test_posts_and_pages_are_indexed_and_list_pages_are_not(built):
    assert set(fragments(built.output)) == POST_URLS | {"/about/"}
    entry = json.loads((built.output / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 5


def test_the_title_is_indexed_and_tags_become_filters(built):
    fragment = fragments(built.output)["/2024/01/tide-tables/"]
    assert fragment["meta"]["title"] == "Reading tide tables"
    assert fragment["filters"] == {"tag": ["Sailing", "Python"]}
    assert "harbour master" in fragment["content"]
    # The date, reading time and tag names are metadata, not words of the post.
    assert "min read" not in fragment["content"]
    assert "Sailing" not in fragment["content"]


def test_the_date_sorts_results(built):
    page = parse_html(built.read("2024/01/tide-tables/index.html"))
    (time,) = [element for element in page.find_all("time") if element.get("data-pagefind-sort")]
    # Seconds since 1970: numbers sort in time order whatever the offset.
    assert time.get("data-pagefind-sort") == "date:1704844800"


def test_pagefind_writes_the_same_bytes_for_the_same_pages(built, tmp_path):
    write_bundle(built.output, tmp_path / "first")
    write_bundle(built.output, tmp_path / "second")
    first, second = (
        {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}
        for root in (tmp_path / "first", tmp_path / "second")
    )
    assert first == second
    built_files = {name: data for name, (data, _mtime) in bundle_files(built.output).items()}
    # A site of fewer pages than a shard holds is one bundle: no other shard to merge.
    assert json.loads(built_files.pop("shards.json")) == {"shards": []}
    assert first == built_files


def test_a_build_that_changes_no_indexed_page_keeps_the_index_as_it_was(site):
    content, build = site
    first = build()
    before = bundle_files(first.output)
    (content / "notes.txt").write_text("No page shows this file.\n")
    second = build()
    assert "no indexed page changed" in second.process.stdout
    assert bundle_files(second.output) == before


def test_an_edited_post_is_indexed_again_and_the_unchanged_files_keep_their_times(site):
    content, build = site
    first = build()
    before = bundle_files(first.output)
    post = content / "posts" / "2024-04-02-bread.md"
    post.write_text(post.read_text() + "\nAn albatross circled the bakery.\n")
    second = build()
    after = bundle_files(second.output)
    assert "albatross" in fragments(second.output)["/2024/04/bread/"]["content"]
    unchanged = {name for name in before.keys() & after.keys() if before[name][0] == after[name][0]}
    assert {"pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"} <= unchanged
    # The other posts' fragments are named by their content: the same files.
    assert sum(name.startswith("fragment/") for name in unchanged) == 4
    assert all(after[name][1] == before[name][1] for name in unchanged)


def test_a_removed_post_leaves_the_index(site):
    content, build = site
    build()
    (content / "posts" / "2024-02-14-knots.md").unlink()
    second = build()
    assert set(fragments(second.output)) == POST_URLS - {"/2024/02/knots/"} | {"/about/"}
    assert len(list((second.output / "pagefind" / "fragment").iterdir())) == 4


def test_with_google_search_there_is_no_index_and_no_script(site):
    content, build = site
    first = build()
    assert (first.output / "pagefind").is_dir()
    site_toml = content / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('search = "both"', 'search = "google"'))
    second = build()
    assert not (second.output / "pagefind").exists()
    page = parse_html(second.read("index.html"))
    assert not [script for script in page.find_all("script") if "search" in (script.get("src") or "")]
    assert page.find("form", role="search").get("data-pagefind-bundle") is None


def test_links_to_pagefind_files_are_not_broken(site):
    content, build = site
    post = content / "posts" / "2024-04-02-bread.md"
    post.write_text(post.read_text() + "\n[The search script](/blog/pagefind/pagefind.js)\n")
    result = build("--strict")
    assert "broken" not in result.process.stderr


def test_a_content_file_where_the_index_goes_is_an_error_and_the_site_stays(site, tmp_path):
    content, build = site
    first = build()
    before = bundle_files(first.output)
    (content / "pagefind").mkdir()
    (content / "pagefind" / "pagefind.js").write_text("// mine\n")
    failed = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert not failed.ok
    assert "pagefind/pagefind.js" in failed.process.stderr
    assert "would be overwritten by Pagefind's search index" in failed.process.stderr
    assert bundle_files(first.output) == before


def test_pagefind_dies_with_a_killed_build(tmp_path):
    """A build killed by SIGKILL takes the Pagefind child it started with it:
    nothing outlives the command. The child here is a sleep started the way
    write_bundle starts Pagefind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    child_pid = tmp_path / "child.pid"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import pathlib, subprocess, sys\n"
            "from blog.search_bundle import _die_with_parent\n"
            "child = subprocess.Popen(['sleep', '60'], preexec_fn=_die_with_parent)\n"
            f"pathlib.Path({str(child_pid)!r}).write_text(str(child.pid))\n"
            "child.wait()\n",
        ],
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 30
    while not child_pid.exists() or not child_pid.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    pid = int(child_pid.read_text())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A zombie is gone for every purpose but its entry; its state says so.
        state = (
            Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] if Path(f"/proc/{pid}").exists() else "X"
        )
        if state in ("Z", "X"):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("Pagefind's stand-in outlived the killed build")


def shard_fragments(output: Path) -> dict[str, dict[str, dict]]:
    """Each shard's fragments, by the shard's folder, as shards.json lists them."""
    manifest = json.loads((output / "pagefind" / "shards.json").read_text())
    folders = ["pagefind"] + [f"pagefind/{folder.strip('/')}" for folder in manifest["shards"]]
    return {folder: fragments(output, folder) for folder in folders}


def test_a_site_larger_than_a_shard_is_split_and_an_edit_indexes_one_shard_again(site, monkeypatch):
    monkeypatch.setenv("BLOG_SEARCH_SHARD_SIZE", "2")
    content, build = site
    first = build()
    shards = shard_fragments(first.output)
    # Five pages, two a shard: three shards by a hash of each page's path,
    # a bundle for each shard with pages (here two or three), each page in one.
    assert len(shards) >= 2
    urls = [url for found in shards.values() for url in found]
    assert sorted(urls) == sorted(POST_URLS | {"/about/"})
    # Pagefind's scripts are the primary bundle's only.
    assert (first.output / "pagefind" / "pagefind.js").is_file()
    assert not list((first.output / "pagefind").glob("shard-*/*.js"))
    before = bundle_files(first.output)

    post = content / "posts" / "2024-04-02-bread.md"
    post.write_text(post.read_text() + "\nAn albatross circled the bakery.\n")
    second = build()
    assert f"1 indexed, {len(shards) - 1} kept as they were" in second.process.stdout
    after = bundle_files(second.output)
    (edited,) = [folder for folder, found in shards.items() if "/2024/04/bread/" in found]
    assert "albatross" in shard_fragments(second.output)[edited]["/2024/04/bread/"]["content"]
    # The other shards' files: the same bytes and times, none added or gone.
    for folder in set(shards) - {edited}:
        inside = folder.removeprefix("pagefind").strip("/")
        mine = {name: value for name, value in after.items() if _in_shard(name, inside)}
        assert mine == {name: value for name, value in before.items() if _in_shard(name, inside)}
        assert mine


def _in_shard(name: str, inside: str) -> bool:
    """Whether a bundle file (by its path in pagefind/) is of the shard in
    folder ``inside`` ("" for the primary bundle's own index files)."""
    if inside:
        return name.startswith(inside + "/")
    return not name.startswith("shard-") and name != "shards.json"

"""The build as the only owner of the output tree (blog/build/output.py): the site
it replaces is kept beside the output as a copy made of links and is the next
build's starting point; nothing outlives the build; a cache on another file
system works; two builds at once never interleave; a killed build leaves no lock."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from blog.build.output import LOCK_FILE, MARKER, read_marker, spare_folder
from blog.build.writer import relink_files

from .conftest import ROOT, build_command, build_env, run_build
from .output_trees import tree_difference, tree_digest

# Staging folders a build makes beside output/, and those of older versions.
STAGING_PATTERNS = (".output.building-*", ".output.old-*")
# Posts in the site of the tests that need a build long enough to overlap
# another, or enough pages for the worker pool.
LARGER_SITE_POSTS = 200
WAITING = "waiting for another build of this site to finish"
# The worker pool even on a one-core machine.
POOL_ENV = {**build_env(), "BLOG_WORKERS": "2"}


def files_with_inodes(folder: Path) -> dict[str, int]:
    return {path.relative_to(folder).as_posix(): path.stat().st_ino for path in folder.rglob("*") if path.is_file()}


def staging_left(output: Path) -> list[str]:
    return sorted(path.name for pattern in STAGING_PATTERNS for path in output.parent.glob(pattern))


def edit_a_post(content: Path, text: str) -> None:
    post = sorted((content / "posts").glob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def assert_equals_clean_build(content: Path, output: Path, scratch: Path) -> None:
    clean = run_build(content, scratch / "clean-output", scratch / "clean-cache")
    assert clean.ok, clean.process.stderr
    ours, theirs = tree_digest(output), tree_digest(clean.output)
    assert ours == theirs, tree_difference(ours, theirs)


def write_larger_site(content: Path) -> None:
    posts = content / "posts"
    posts.mkdir(parents=True)
    (content / "site.toml").write_text('title = "Larger"\nbase_url = "https://larger.example/"\n', encoding="utf-8")
    for number in range(LARGER_SITE_POSTS):
        (posts / f"post-{number:03d}.md").write_text(
            f"---\ntitle: Post {number}\ndate: 2023-{1 + number % 12:02d}-{1 + number % 28:02d} 10:00\n"
            f"tags: [t{number % 7}, t{number % 5}]\n---\nPost number {number}, with *emphasis*.\n",
            encoding="utf-8",
        )


@pytest.fixture
def built(copy_fixture, tmp_path):
    """A first build of the sample site: (content, output, cache)."""
    content = copy_fixture("site")
    output, cache = tmp_path / "output", tmp_path / "cache"
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    return content, output, cache


def test_the_replaced_site_is_kept_beside_the_output_as_links_to_its_files(built):
    content, output, cache = built
    spare = spare_folder(output)
    # A first build has no site to replace: it links its own files.
    assert files_with_inodes(spare) == files_with_inodes(output)
    edit_a_post(content, "One more paragraph.")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    # The same files, each a link to the new output's: nothing copied, nothing stale.
    assert files_with_inodes(spare) == files_with_inodes(output)
    assert read_marker(spare) == read_marker(output) is not None
    # Nothing of the site is kept in the cache folder.
    in_output = set(files_with_inodes(output).values())
    assert not [path for path in cache.rglob("*") if path.name == MARKER or path.stat().st_ino in in_output]


def test_the_next_build_is_made_in_the_spare_and_equals_a_clean_build(built, tmp_path):
    content, output, cache = built
    spare = spare_folder(output).stat().st_ino
    edit_a_post(content, "Another paragraph.")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    # The spare itself became the new output: brought up to date, not replaced.
    assert output.stat().st_ino == spare
    assert_equals_clean_build(content, output, tmp_path)
    assert staging_left(output) == []


def test_after_every_page_changed_the_spare_is_a_copy_of_the_new_site(built, tmp_path):
    """A change to every page (here the site's title; a template edit
    does the same) leaves the replaced site different in every page. The build
    brings it up to date before it ends, so the next edit starts from it."""
    content, output, cache = built
    settings = content / "site.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('title = "', 'title = "Renamed: ', 1), encoding="utf-8")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    spare = spare_folder(output)
    assert files_with_inodes(spare) == files_with_inodes(output)

    copy = spare.stat().st_ino
    edit_a_post(content, "An edit after a change to every page.")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    assert output.stat().st_ino == copy
    assert_equals_clean_build(content, output, tmp_path)


def test_a_spare_whose_refresh_was_cut_short_is_not_used(built, tmp_path):
    """A killed build can leave the spare half brought up to date: its marker
    is removed first and put back last, so it no longer names the output's site."""
    content, output, cache = built
    spare = spare_folder(output)
    (spare / MARKER).unlink()
    (spare / "stale.html").write_text("only in a half-refreshed spare\n", encoding="utf-8")
    edit_a_post(content, "An edit after a killed build.")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    assert_equals_clean_build(content, output, tmp_path)
    assert files_with_inodes(spare) == files_with_inodes(output)


def test_relinking_replaces_files_makes_folders_and_copies_where_there_are_no_hard_links(tmp_path, monkeypatch):
    """The spare's refresh (relink_files): a file the target has is replaced by
    a link, a file in a folder it lacks gets the folder, and on a file system
    without hard links each is a copy, never a write through the old link."""
    source, target = tmp_path / "source", tmp_path / "target"
    for relative in ("kept.html", "other.html", "new/deeper/page.html"):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        (source / relative).write_text(f"new {relative}", encoding="utf-8")
    target.mkdir()
    (target / "kept.html").write_text("old", encoding="utf-8")
    relink_files(source, target, ["kept.html", "new/deeper/page.html"])
    assert files_with_inodes(target) == {
        relative: inode for relative, inode in files_with_inodes(source).items() if relative != "other.html"
    }

    # The target's kept.html is now a link to another of the source's files.
    (target / "kept.html").unlink()
    os.link(source / "other.html", target / "kept.html")

    def no_hard_links(*args, **kwargs):
        raise OSError(errno.EPERM, "this file system has no hard links")

    monkeypatch.setattr(os, "link", no_hard_links)
    relink_files(source, target, ["kept.html"])
    assert (target / "kept.html").read_text(encoding="utf-8") == "new kept.html"
    assert (target / "kept.html").stat().st_ino != (source / "kept.html").stat().st_ino
    assert (source / "other.html").read_text(encoding="utf-8") == "new other.html"


def start_build(content: Path, output: Path, cache: Path, **options) -> subprocess.Popen:
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "env": build_env(), **options}
    return subprocess.Popen(build_command(content, output, cache), cwd=ROOT, text=True, **options)


def lock_holder(cache: Path) -> str:
    """The pid the build holding the cache's lock wrote, or ""."""
    try:
        return (cache / LOCK_FILE).read_text().strip()
    except FileNotFoundError:
        return ""


def processes_left(session: int, mark: str) -> list[str]:
    """Processes in the session ``session``, or whose command line, working
    folder or open files name ``mark`` (a detached process has a session of
    its own, but works on the build's folders)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            paths = [os.readlink(entry / "cwd")]
            paths += [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue  # ended while we looked
        # The fields after the command's name, which is in parentheses: state, ppid, pgrp, session.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue  # already ended, not yet reaped
        if int(fields[3]) == session or mark in command or any(mark in path for path in paths):
            found.append(f"{entry.name}: {command.strip()}")
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc to list processes")
def test_no_process_is_left_running_after_a_build_returns(tmp_path):
    content = tmp_path / "content"
    write_larger_site(content)
    output, cache = tmp_path / "output", tmp_path / "cache"
    steps = [
        "cold build",
        "leftovers of a killed build",  # deleted by the next build (once, in the background)
        "edit",
    ]
    for step in steps:
        if step == "leftovers of a killed build":
            leftover = output.parent / f".{output.name}.building-4242"
            for number in range(2000):
                folder = leftover / str(number % 50)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{number}.html").write_text("half a site")
        if step == "edit":
            edit_a_post(content, "An edit.")
        # A session of its own: every process it forks stays in it unless detached.
        process = start_build(content, output, cache, env=POOL_ENV, start_new_session=True)
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stdout + stderr
        left = processes_left(process.pid, str(tmp_path))
        assert left == [], f"after the {step}: still running: {left}"
    assert staging_left(output) == []


def tmpfs_folder() -> Path | None:
    """A tmpfs mount we may write in (/dev/shm on most Linux systems), or None."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    for line in mounts:
        _device, mount_point, fs_type, *_ = line.split()
        if fs_type == "tmpfs" and mount_point in ("/dev/shm", "/run/shm", "/tmp") and os.access(mount_point, os.W_OK):
            return Path(mount_point)
    return None


@pytest.fixture
def tmpfs_cache(tmp_path):
    mount = tmpfs_folder()
    if mount is None:
        pytest.skip("no writable tmpfs (/dev/shm) to put the cache on")
    folder = Path(tempfile.mkdtemp(prefix="blog-cache-", dir=mount))
    if folder.stat().st_dev == tmp_path.stat().st_dev:
        shutil.rmtree(folder)
        pytest.skip(f"{mount} is on the same file system as the test's folder")
    yield folder / "cache"
    shutil.rmtree(folder, ignore_errors=True)


def test_a_cache_on_another_file_system_works(copy_fixture, tmp_path, tmpfs_cache):
    content = copy_fixture("site")
    output = tmp_path / "output"
    first = run_build(content, output, tmpfs_cache)
    assert first.ok, first.process.stderr
    spare = spare_folder(output).stat().st_ino
    edit_a_post(content, "Edited with the cache on a tmpfs.")
    second = run_build(content, output, tmpfs_cache)
    assert second.ok, second.process.stderr
    assert "Traceback" not in second.process.stderr
    assert_equals_clean_build(content, output, tmp_path)
    # The fast path held: the build was made in the spare, beside the output.
    assert output.stat().st_ino == spare
    assert files_with_inodes(spare_folder(output)) == files_with_inodes(output)
    assert staging_left(output) == []


def test_two_builds_started_at_once_take_turns(tmp_path):
    content = tmp_path / "content"
    write_larger_site(content)
    output, cache = tmp_path / "output", tmp_path / "cache"
    first, second = (start_build(content, output, cache) for _ in range(2))
    results = {process.pid: (process, *process.communicate(timeout=300)) for process in (first, second)}

    for process, stdout, stderr in results.values():
        assert process.returncode == 0, stdout + stderr
    waited = [(pid, stdout, stderr) for pid, (_process, stdout, stderr) in results.items() if WAITING in stderr]
    assert len(waited) == 1, "exactly one build should have waited for the other"
    waiter, stdout, stderr = waited[0]
    other = next(pid for pid in results if pid != waiter)
    assert f"{WAITING} (pid {other})" in stderr
    # It started once the other had finished: the site was already built.
    assert " 0 pages rendered" in stdout, stdout
    assert_equals_clean_build(content, output, tmp_path)
    assert staging_left(output) == []


def test_a_killed_build_leaves_no_lock_behind(tmp_path):
    """kill -9 of the build, its worker processes left running: the next
    build neither waits nor fails, and equals a clean build."""
    content = tmp_path / "content"
    write_larger_site(content)
    output, cache = tmp_path / "output", tmp_path / "cache"
    # No pipes: the orphaned workers would hold them open.
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    killed = start_build(content, output, cache, env=POOL_ENV, start_new_session=True, **quiet)
    try:
        deadline = time.monotonic() + 120
        while lock_holder(cache) != str(killed.pid):
            assert killed.poll() is None, "the build ended before it was killed"
            assert time.monotonic() < deadline, "the build never took the lock"
            time.sleep(0.02)
        time.sleep(1.0)  # into its work: the workers render the Markdown
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        after = run_build(content, output, cache, timeout=120)
    finally:
        # Its forked workers, which outlive it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(killed.pid, signal.SIGKILL)
    assert after.ok, after.process.stderr
    assert WAITING not in after.process.stderr
    assert_equals_clean_build(content, output, tmp_path)
    assert staging_left(output) == []

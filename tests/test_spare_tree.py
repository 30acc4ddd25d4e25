"""The spare tree a build makes when it kept none, or kept one that differs
in most files (blog/spare_tree.py): at once for a small site, in the
background for a large one; whole or not at all, stopped by a build that
wants the lock, and used by the next build."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from blog.build import SPARE_ALWAYS, SPARE_DIR, TRASH_DIR
from blog.output_dir import read_marker
from blog.spare_tree import LOCK_FILE, MAKING_SUFFIX, STOP_FILE, make, make_in_background, spare_lock

from .conftest import FIXTURES, ROOT, build_command, build_env, run_build
from .output_trees import tree_difference, tree_digest
from .test_incremental import copy_project
from .test_incremental_workers import build as build_in_project

# Far longer than the maker takes for the fixture site.
LOCK_WAIT = 60


def wait_for_spare_lock(cache: Path) -> None:
    """Return once no process holds the spare lock: the maker has finished."""
    descriptor = os.open(cache / LOCK_FILE, os.O_RDWR)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                assert time.monotonic() < deadline, "the spare lock was never released"
                time.sleep(0.05)
    finally:
        os.close(descriptor)


def files_with_inodes(folder: Path) -> dict[str, int]:
    return {path.relative_to(folder).as_posix(): path.stat().st_ino for path in folder.rglob("*") if path.is_file()}


def trash(spare: Path) -> Path:
    return spare.parent / TRASH_DIR


def file_count(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def built(copy_fixture, tmp_path):
    """A first build of the sample site, with nothing kept from before it."""
    content = copy_fixture("site")
    output, cache = tmp_path / "output", tmp_path / "cache"
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    return content, output, cache


@pytest.fixture
def no_spare(built):
    """The first build's output, its spare deleted: (output, spare folder, files in the output)."""
    _content, output, cache = built
    wait_for_spare_lock(cache)
    spare = cache / SPARE_DIR
    shutil.rmtree(spare)
    return output, spare, file_count(output)


def test_a_first_build_leaves_a_spare_of_hard_links_to_its_output(built):
    _content, output, cache = built
    wait_for_spare_lock(cache)
    spare = cache / SPARE_DIR
    assert spare.is_dir(), "no spare tree after the first build"
    # The same files, each a link to the output's: nothing copied.
    assert files_with_inodes(spare) == files_with_inodes(output)
    assert read_marker(spare) == read_marker(output) is not None
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()


def test_the_next_build_is_made_in_that_spare_and_equals_a_clean_build(built, tmp_path):
    content, output, cache = built
    wait_for_spare_lock(cache)
    spare_folder = (cache / SPARE_DIR).stat().st_ino
    post = next((content / "posts").glob("*.md"))
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")

    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    # The spare folder itself became the new output: it was brought up to
    # date, not replaced by an empty folder.
    assert output.stat().st_ino == spare_folder
    clean = run_build(content, tmp_path / "clean-output", tmp_path / "clean-cache")
    assert clean.ok, clean.process.stderr
    ours, theirs = tree_digest(output), tree_digest(tmp_path / "clean-output")
    assert ours == theirs, tree_difference(ours, theirs)


def test_a_spare_made_in_the_background_is_whole_once_the_lock_is_free(no_spare):
    output, spare, count = no_spare
    with spare_lock(spare.parent) as lock:
        # The process inherits the held lock and keeps it until it is done.
        make_in_background(output, spare, trash(spare), read_marker(output), count, lock)
    wait_for_spare_lock(spare.parent)
    assert files_with_inodes(spare) == files_with_inodes(output)
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()


def test_a_build_waits_while_another_process_holds_the_spare_lock(built):
    content, output, cache = built
    wait_for_spare_lock(cache)
    post = next((content / "posts").glob("*.md"))
    post.write_text(post.read_text(encoding="utf-8") + "\nAnother paragraph.\n", encoding="utf-8")
    before = read_marker(output)
    with spare_lock(cache):
        process = subprocess.Popen(
            build_command(content, output, cache),
            cwd=ROOT,
            env=build_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Long enough for the unlocked build of this small site to finish.
        time.sleep(4)
        waiting = process.poll() is None
        unchanged = read_marker(output) == before
        asked_to_stop = (cache / STOP_FILE).exists()
    stdout, stderr = process.communicate(timeout=120)
    assert waiting and unchanged, "the build went ahead while the spare lock was held"
    assert asked_to_stop, "the waiting build did not ask the lock's holder to stop"
    assert not (cache / STOP_FILE).exists(), "the build left its stop request behind"
    assert process.returncode == 0, stdout + stderr
    assert "stop the copy of the spare tree, or wait for another build: done" in stdout
    assert read_marker(output) != before


def test_make_refuses_an_output_with_a_file_missing(no_spare):
    output, spare, count = no_spare
    (output / "robots.txt").unlink()  # as if deleted while the maker walked the tree

    assert not make(output, spare, trash(spare), read_marker(output), count)
    assert not spare.exists()
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()


def test_make_refuses_another_site_than_the_one_it_was_started_for(no_spare):
    output, spare, count = no_spare
    assert not make(output, spare, trash(spare), "0" * 32, count)
    assert not spare.exists()
    assert make(output, spare, trash(spare), read_marker(output), count)
    assert files_with_inodes(spare) == files_with_inodes(output)


def test_make_replaces_a_stale_spare_once_its_copy_is_whole(built):
    _content, output, cache = built
    wait_for_spare_lock(cache)
    spare = cache / SPARE_DIR
    (spare / "stale.txt").write_text("only in the old spare\n", encoding="utf-8")
    old_spare = spare.stat().st_ino

    assert make(output, spare, trash(spare), read_marker(output), file_count(output))
    assert spare.stat().st_ino != old_spare
    assert files_with_inodes(spare) == files_with_inodes(output)
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()


def test_a_maker_asked_to_stop_leaves_the_old_spare_and_no_copy(built):
    _content, output, cache = built
    wait_for_spare_lock(cache)
    spare = cache / SPARE_DIR
    (spare / "stale.txt").write_text("only in the old spare\n", encoding="utf-8")
    before = files_with_inodes(spare)
    (cache / STOP_FILE).touch()  # as a build does that finds the lock held

    assert not make(output, spare, trash(spare), read_marker(output), file_count(output))
    assert files_with_inodes(spare) == before
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()


def test_after_a_template_edit_the_next_build_starts_from_a_fresh_copy(tmp_path):
    """A template edit leaves a spare that differs in every page: linking the
    whole site for the next build would cost seconds on a large site. So a copy
    of the new output replaces that spare after the build, and the next body
    edit is built in it, equal to a clean build."""
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site", content)
    # More pages than SPARE_ALWAYS, so that a template edit leaves a spare
    # that differs in too many files to be brought up to date.
    for number in range(SPARE_ALWAYS + 50):
        (content / "posts" / f"filler-{number}.md").write_text(
            f"---\ntitle: Filler {number}\ndate: 2022-01-{number % 28 + 1:02d} 10:00\n---\nFiller {number}.\n",
            encoding="utf-8",
        )
    output, cache = tmp_path / "output", tmp_path / "cache"
    spare = cache / SPARE_DIR

    def build(output: Path, cache: Path) -> None:
        build_in_project(project, content, output, cache)

    build(output, cache)
    wait_for_spare_lock(cache)
    base = project / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- edited -->\n</body>"), encoding="utf-8")
    build(output, cache)
    wait_for_spare_lock(cache)
    assert files_with_inodes(spare) == files_with_inodes(output), "the spare is not a copy of the new output"

    copy = spare.stat().st_ino
    post = content / "posts" / "filler-7.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nAn edit after the template edit.\n", encoding="utf-8")
    build(output, cache)
    assert output.stat().st_ino == copy, "the build after the template edit was not made in the copy"
    build(tmp_path / "clean-output", tmp_path / "clean-cache")
    ours, theirs = tree_digest(output), tree_digest(tmp_path / "clean-output")
    assert ours == theirs, tree_difference(ours, theirs)

"""The spare tree a build makes when it kept none (blog/spare_tree.py): at
once for a small site, in the background for a large one; whole or not at
all, and used by the next build."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from blog.build import SPARE_DIR
from blog.output_dir import read_marker
from blog.spare_tree import LOCK_FILE, MAKING_SUFFIX, make, make_in_background, spare_lock

from .conftest import ROOT, build_command, build_env, run_build
from .output_trees import tree_difference, tree_digest

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
        make_in_background(output, spare, read_marker(output), count, lock)
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
    stdout, stderr = process.communicate(timeout=120)
    assert waiting and unchanged, "the build went ahead while the spare lock was held"
    assert process.returncode == 0, stdout + stderr
    assert "wait for the spare tree, or another build, to finish: done" in stdout
    assert read_marker(output) != before


def test_make_refuses_an_output_with_a_file_missing(no_spare):
    output, spare, count = no_spare
    (output / "robots.txt").unlink()  # as if deleted while the maker walked the tree

    assert not make(output, spare, read_marker(output), count)
    assert not spare.exists()
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()


def test_make_refuses_another_site_than_the_one_it_was_started_for(no_spare):
    output, spare, count = no_spare
    assert not make(output, spare, "0" * 32, count)
    assert not spare.exists()
    assert make(output, spare, read_marker(output), count)
    assert files_with_inodes(spare) == files_with_inodes(output)


def test_make_leaves_an_existing_spare_as_it_is(built):
    _content, output, cache = built
    wait_for_spare_lock(cache)
    spare = cache / SPARE_DIR
    before = files_with_inodes(spare)
    (output / "extra.txt").write_text("not in the spare\n", encoding="utf-8")
    count = file_count(output)

    assert not make(output, spare, read_marker(output), count)
    assert files_with_inodes(spare) == before
    assert not spare.with_name(spare.name + MAKING_SUFFIX).exists()

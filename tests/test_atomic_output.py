"""output/ is all-or-nothing: a build killed with SIGKILL at any moment leaves
the previous complete site, the next build clears what the killed one left
behind, and a folder the tool did not make is never replaced."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, build_command, build_env, run_build
from .output_trees import tree_difference, tree_digest

POSTS = 150
TAGS = ["python", "django", "sqlite", "rust", "go", "shell", "css", "html", "notes", "travel"]
KILLS = 6
SEED = 20240501
# How long a rebuild with a warm cache takes, as a share of a fresh build's time.
REBUILD_SHARE = 0.8
# Temporary folders a build makes beside output/ (blog/build/output.py's naming).
LEFTOVER_PATTERNS = (".output.building-*", ".output.old-*")


def write_site(content: Path, version: str) -> None:
    """A site of ~150 posts. The "new" version changes the site description
    (every page changes), retitles every tenth post, drops one and adds one."""
    posts = content / "posts"
    posts.mkdir(parents=True)
    description = "Before the change." if version == "old" else "After the change."
    (content / "site.toml").write_text(
        f'title = "Kill test"\ndescription = "{description}"\nbase_url = "https://kill.example/"\n'
        'time_zone = "UTC"\nposts_per_page = 10\n',
        encoding="utf-8",
    )
    numbers = range(POSTS) if version == "old" else [*range(POSTS - 1), POSTS]
    for number in numbers:
        title = f"Post number {number}"
        if version == "new" and number % 10 == 0:
            title += " (revised)"
        day = f"2023-{1 + number % 12:02d}-{1 + number % 28:02d} {number % 24:02d}:00"
        tags = ", ".join(TAGS[(number + k) % len(TAGS)] for k in range(3))
        paragraphs = "\n\n".join(
            f"Paragraph {k} of post {number}, with *emphasis*, `code` and a [link](https://example.com/{number}/{k})."
            for k in range(6)
        )
        code = f"```python\ndef post_{number}(value):\n    return value * {number}\n```"
        (posts / f"post-{number:03d}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {day}\ntags: [{tags}]\n---\n{paragraphs}\n\n## Details\n\n{code}\n\n'
            "- one\n- two\n- three\n",
            encoding="utf-8",
        )


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for pattern in LEFTOVER_PATTERNS for p in output.parent.glob(pattern))


def kill_after(content: Path, output: Path, cache: Path, delay: float) -> bool:
    """Start a build, SIGKILL it after ``delay`` seconds; True if it was still running."""
    process = subprocess.Popen(
        build_command(content, output, cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=build_env(),
        cwd=ROOT,
        # Its own process group, so the render workers it forks can be reaped too.
        start_new_session=True,
    )
    try:
        process.wait(timeout=delay)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
        os.kill(process.pid, signal.SIGKILL)
        # Then the render workers it forked, as a CI runner ending the job would;
        # they also hold the stderr pipe open.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    stderr = process.communicate()[1].decode()
    if finished:
        assert process.returncode == 0, stderr
    return not finished


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Old and new content, each built once with a fresh cache: the two trees
    a killed build may leave. Returns (root, old digest, new digest, seconds of the new build)."""
    root = tmp_path_factory.mktemp("kill").resolve()
    for version in ("old", "new"):
        write_site(root / f"{version}-content", version)
    new = run_build(root / "new-content", root / "new-ref" / "output", root / "new-ref" / "cache")
    assert new.ok, new.process.stderr
    started = time.monotonic()
    # The live site: old content, built as the author built it before the change.
    old = run_build(root / "old-content", root / "live" / "output", root / "live" / "cache")
    seconds = time.monotonic() - started
    assert old.ok, old.process.stderr
    return root, tree_digest(old.output), tree_digest(new.output), seconds


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_site_or_the_new_one(sites):
    root, old, new, seconds = sites
    assert old != new
    output, cache = root / "live" / "output", root / "live" / "cache"
    rng = random.Random(SEED)
    interrupted, outcomes = 0, []
    for attempt in range(KILLS):
        current = tree_digest(output)
        assert current in (old, new), f"attempt {attempt}: " + tree_difference(old, current)
        # Always build towards the other tree, so every attempt replaces the site.
        target = "new" if current == old else "old"
        # Spread over the build, from start-up to the swap at its end; a rebuild
        # with a warm cache is shorter than the fresh build that was timed.
        delay = REBUILD_SHARE * seconds * (attempt + rng.random()) / KILLS
        interrupted += kill_after(root / f"{target}-content", output, cache, delay)
        after = tree_digest(output)
        if after == old:
            outcomes.append("old")
        elif after == new:
            outcomes.append("new")
        else:
            nearer = old if target == "new" else new
            pytest.fail(f"attempt {attempt}, killed after {delay:.2f} s: {tree_difference(nearer, after)}")
    assert interrupted >= KILLS // 2, f"only {interrupted} of {KILLS} builds were still running when killed"

    # The next complete build cleans up whatever the killed ones left beside output/.
    target = "new" if tree_digest(output) == old else "old"
    build = run_build(root / f"{target}-content", output, cache)
    assert build.ok, build.process.stderr
    assert tree_digest(output) == (new if target == "new" else old)
    assert leftovers(output) == []


@pytest.fixture
def small_site(tmp_path):
    """The small base site of the bad-input tests, built once."""
    content = FIXTURES / "bad" / "base"
    output, cache = tmp_path / "output", tmp_path / "cache"
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    return content, output, cache


def plant_leftovers(output: Path) -> list[str]:
    """Folders such as a build killed mid-way leaves: a staging tree and an old site."""
    planted = []
    for name in (f".{output.name}.building-4242", f".{output.name}.old-4243"):
        folder = output.parent / name
        (folder / "2024" / "01").mkdir(parents=True)
        (folder / "2024" / "01" / "index.html").write_text("half a site")
        planted.append(name)
    return planted


def test_the_next_build_removes_leftovers_when_the_content_changed(small_site, tmp_path):
    content, output, cache = small_site
    changed = tmp_path / "content"
    shutil.copytree(content, changed, dirs_exist_ok=True)
    (changed / "posts" / "2024-06-01-another.md").write_text('---\ntitle: "Another"\n---\nNew.\n')
    assert sorted(plant_leftovers(output)) == leftovers(output)
    build = run_build(changed, output, cache)
    assert build.ok, build.process.stderr
    assert (output / "2024" / "06" / "another" / "index.html").is_file()
    assert leftovers(output) == []


def test_the_next_build_removes_leftovers_when_nothing_changed(small_site):
    content, output, cache = small_site
    before = tree_digest(output)
    plant_leftovers(output)
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    assert tree_digest(output) == before
    assert leftovers(output) == []


def test_a_folder_the_tool_did_not_make_is_refused_and_untouched(tmp_path):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "config").write_text("Host example\n")
    (home / "notes.txt").write_text("keep me\n")
    (home / "projects" / "blog").mkdir(parents=True)
    before = tree_digest(home)
    build = run_build(FIXTURES / "bad" / "base", home, tmp_path / "cache")
    assert build.process.returncode == 1, build.process.stdout
    assert "Traceback" not in build.process.stderr
    assert str(home) in build.process.stderr
    assert tree_digest(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) in (["home"], ["cache", "home"])


def test_a_file_given_as_output_is_refused_and_untouched(tmp_path):
    target = tmp_path / "index.html"
    target.write_text("<p>a hand-made page</p>\n")
    build = run_build(FIXTURES / "bad" / "base", target, tmp_path / "cache")
    assert build.process.returncode == 1, build.process.stdout
    assert "Traceback" not in build.process.stderr
    assert target.read_text() == "<p>a hand-made page</p>\n"
    assert leftovers(target) == []

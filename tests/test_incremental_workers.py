"""Incremental builds whose pages are rendered in worker processes.

The property test (tests/test_incremental.py) builds a small site, whose
pages render at each step either in the build's own process or, with
BLOG_POOL_MIN_TASKS=1, in forked worker processes. Here a site large enough
for the worker pool at its default threshold is built again and again, each
time compared with a clean build of the same content: the main process must
learn which files the workers wrote, or the spare it keeps beside the output
for the next build is brought up to date wrongly and a later build publishes
pages from two builds ago.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from blog.build.workers import MIN_TASKS_FOR_POOL, WORKERS_VARIABLE

from .conftest import FIXTURES, build_command, build_env, copy_project
from .output_trees import snapshot, tree_differences

# Enough posts that a template edit renders more pages than MIN_TASKS_FOR_POOL.
EXTRA_POSTS = MIN_TASKS_FOR_POOL + 10


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project for this test alone: its templates are edited."""
    copy = tmp_path / "project"
    copy.mkdir()
    return copy_project(copy)


def build(project: Path, content: Path, output: Path, cache: Path) -> str:
    env = {**build_env(), WORKERS_VARIABLE: "2"}  # the pool even on a one-core machine
    result = subprocess.run(
        build_command(content, output, cache, project=project),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_builds_rendered_by_workers_equal_clean_builds(project, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "incremental", content)
    for number in range(EXTRA_POSTS):
        (content / "posts" / f"2023-03-{number % 28 + 1:02d}-filler-{number}.md").write_text(
            f"---\ntitle: Filler {number}\ndate: 2023-03-{number % 28 + 1:02d} 10:00\ntags: [filler]\n---\n"
            f"Filler post number {number}.\n",
            encoding="utf-8",
        )
    output, cache = tmp_path / "output", tmp_path / "cache"
    base = project / "templates" / "base.html"
    post = content / "posts" / "first-light.md"

    def edit_template(number: int) -> None:
        base.write_text(base.read_text(encoding="utf-8") + f"<!-- edit {number} -->\n", encoding="utf-8")

    def edit_body(number: int) -> None:
        post.write_text(post.read_text(encoding="utf-8") + f"\nEdit {number} of the body.\n", encoding="utf-8")

    build(project, content, output, cache)
    # Two template edits (every page rendered by the workers), then body edits,
    # which start from the spare the template builds brought up to date.
    for step, change in enumerate([edit_template, edit_template, edit_body, edit_body, edit_template, edit_body]):
        change(step)
        stdout = build(project, content, output, cache)
        clean_output = tmp_path / f"clean-{step}"
        build(project, content, clean_output, tmp_path / f"clean-cache-{step}")
        differences = tree_differences(snapshot(output), snapshot(clean_output))
        assert not differences, f"step {step} ({change.__name__}):\n{stdout}\n" + "\n".join(differences[:40])
        shutil.rmtree(clean_output)

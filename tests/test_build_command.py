"""``manage.py build`` as an author runs it: which content folder it reads, and
what happens to output/ when the content is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES, ROOT, run_build
from .html_tree import parse_html

MINIMAL = FIXTURES / "minimal"
BROKEN = FIXTURES / "broken"


def manage_build(tmp_path: Path, *args: str, content_env: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"}
    env.pop("BLOG_CONTENT_DIR", None)
    if content_env is not None:
        env["BLOG_CONTENT_DIR"] = str(content_env)
    command = [sys.executable, str(ROOT / "manage.py"), "build", "--output", str(tmp_path / "output")]
    command += ["--cache-dir", str(tmp_path / "cache"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def post_titles(output: Path) -> list[str]:
    return [a.text() for a in parse_html((output / "index.html").read_text()).iter("a") if "/20" in a.get("href", "")]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_blog_content_dir_is_honoured(tmp_path):
    process = manage_build(tmp_path, content_env=MINIMAL)
    assert process.returncode == 0, process.stderr
    assert "The only post" in post_titles(tmp_path / "output")


def test_content_option_overrides_blog_content_dir(tmp_path):
    # The environment points at a broken folder; --content must win.
    process = manage_build(tmp_path, "--content", str(MINIMAL), content_env=BROKEN)
    assert process.returncode == 0, process.stderr
    assert "The only post" in post_titles(tmp_path / "output")


def test_content_errors_exit_1_name_every_file_and_leave_output_alone(tmp_path):
    first = run_build(MINIMAL, tmp_path / "output", tmp_path / "cache")
    assert first.ok, first.process.stderr
    before = snapshot(tmp_path / "output")

    broken = run_build(BROKEN, tmp_path / "output", tmp_path / "cache")
    assert broken.process.returncode == 1
    stderr = broken.process.stderr
    shown = os.path.relpath(BROKEN, ROOT)
    assert f"{shown}/posts/bad-date.md:3: date: date 'the fifth of never' is not a date this tool can read" in stderr
    assert f"{shown}/posts/no-title.md:1: missing title" in stderr
    assert "2 problems in the content; the output folder was not changed." in stderr
    assert "Traceback" not in stderr
    assert snapshot(tmp_path / "output") == before
    # No half-built folder is left beside output/: only the site the first
    # build keeps for the next one (blog/build/output.py).
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "cache", "output"]


def test_a_missing_content_folder_is_an_error(tmp_path):
    process = manage_build(tmp_path, "--content", str(tmp_path / "nowhere"))
    assert process.returncode == 1
    assert "the content folder does not exist" in process.stderr
    assert not (tmp_path / "output").exists()


def test_a_folder_the_build_did_not_make_is_never_replaced(tmp_path):
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "precious.txt").write_text("keep me")
    process = manage_build(tmp_path, "--content", str(MINIMAL))
    assert process.returncode == 1
    assert "refusing to replace it" in process.stderr
    assert (tmp_path / "output" / "precious.txt").read_text() == "keep me"


def test_an_unknown_pygments_style_is_reported_as_a_content_error(copy_fixture, tmp_path):
    content = copy_fixture("minimal")
    with (content / "site.toml").open("a") as file:
        file.write('pygments_style = "no-such-style"\n')
    process = manage_build(tmp_path, "--content", str(content))
    assert process.returncode == 1
    assert "site.toml" in process.stderr
    assert "Traceback" not in process.stderr

"""The fixture site built three ways for the publish tests (as published
first, after a one-post edit, after a post was deleted), and ``manage.py
publish`` run as an author runs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT, SITE_FIXTURE, build_env, run_build

EDITED_POST = "posts/hugo-toml.md"
DELETED_POST = "posts/pelican-post.md"


@dataclass
class Sites:
    first: Path  # output folders
    edited: Path
    deleted: Path


def build_sites(root: Path) -> Sites:
    """The fixture site, then the same after an edit, and after a deletion,
    each built into its own output folder."""
    content = root / "content"
    shutil.copytree(SITE_FIXTURE, content)
    outputs = {}
    for name in ("first", "edited", "deleted"):
        if name == "edited":
            post = content / EDITED_POST
            post.write_text(post.read_text(encoding="utf-8") + "\nOne more sentence, added later.\n", encoding="utf-8")
        if name == "deleted":
            (content / DELETED_POST).unlink()
        result = run_build(content, root / name, root / "cache")
        assert result.ok, result.process.stderr
        outputs[name] = root / name
    return Sites(**outputs)


def site_files(output: Path) -> dict[str, str]:
    """Site path -> MD5 of every published file of an output folder."""
    found = {}
    for path in sorted(output.rglob("*")):
        relative = path.relative_to(output).as_posix()
        if path.is_file() and relative != ".blog-output":
            found[relative] = hashlib.md5(path.read_bytes()).hexdigest()
    return found


def publish_config(folder: Path, tables: str) -> Path:
    """A content folder holding only the fixture's site.toml plus ``tables``:
    all that publish reads of the content."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (SITE_FIXTURE / "site.toml").read_text(encoding="utf-8")
    (folder / "site.toml").write_text(text + "\n" + tables, encoding="utf-8")
    return folder


def publish_command(content: Path, output: Path, cache: Path, *args: str, env: dict[str, str] | None = None):
    """The command line and environment of ``manage.py publish``, run as an author would."""
    command = [sys.executable, str(ROOT / "manage.py"), "publish", *args]
    command += ["--content", str(content), "--output", str(output), "--cache-dir", str(cache)]
    environment = {**build_env(), **(env or {})}
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        environment.pop(name, None)
    environment["AWS_CONFIG_FILE"] = environment["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return command, environment


def run_publish(
    content: Path, output: Path, cache: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    command, environment = publish_command(content, output, cache, *args, env=env)
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=300)

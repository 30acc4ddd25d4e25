"""Where the sources are: the Markdown files under ``posts/`` and ``pages/``,
``site.toml``, and how a file is named in messages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from ..errors import ContentError, ContentErrors, ContentProblem
from ..siteconfig import SITE_FILE, SiteConfig, parse_site_config
from .reader import PAGE, POST

POSTS_DIR = "posts"
PAGES_DIR = "pages"
MARKDOWN_SUFFIXES = (".md", ".markdown")


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


class Source(NamedTuple):
    """A Markdown file found by the scan."""

    relative: str  # to the content folder, with forward slashes
    absolute: str
    kind: str  # POST or PAGE
    mtime_ns: int
    size: int


def find_sources(content_dir: Path) -> list[Source]:
    """Every Markdown source, with its stat, in a stable order. Plain strings
    and os.scandir: this runs on every build over every file, and pathlib
    objects cost more than the stat calls."""
    found: list[Source] = []
    for folder, kind in ((POSTS_DIR, POST), (PAGES_DIR, PAGE)):
        _scan(os.path.join(content_dir, folder), folder, kind, found)
    return found


def _scan(folder: str, relative_folder: str, kind: str, found: list[Source]) -> None:
    """Add the sources under ``folder`` to ``found``. A function of its own,
    not one nested in find_sources: a nested function that calls itself is a
    reference cycle, which kept the list of every source alive for the rest
    of a build, whose garbage collector is paused (blog/build/collector.py)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        name = entry.name
        # Zola's and Hugo's _index.md (a section) is read, to be skipped
        # and counted by the reader.
        if name.startswith("."):
            continue
        relative = f"{relative_folder}/{name}"
        # Like os.walk: symlinked folders are not followed.
        if entry.is_dir(follow_symlinks=False):
            _scan(entry.path, relative, kind, found)
        elif name.endswith(MARKDOWN_SUFFIXES) and entry.is_file():
            stat = entry.stat()
            found.append(Source(relative, entry.path, kind, stat.st_mtime_ns, stat.st_size))


def read_site(content_dir: Path) -> SiteConfig:
    path = content_dir / SITE_FILE
    if not path.exists():
        return SiteConfig()
    try:
        data = path.read_bytes()
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ContentErrors(
            [ContentProblem(display_path(path), 1, f"not UTF-8 at byte offset {exc.start}", "save it as UTF-8")]
        ) from None
    try:
        return parse_site_config(text)
    except ContentError as exc:
        raise ContentErrors([exc.at(display_path(path))]) from None

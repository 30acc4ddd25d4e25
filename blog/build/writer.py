"""Fill the staging folder, writing only files whose bytes changed.

A file that is the same as in the previous output is hard-linked from it, so
its modification time stays as it was (rsync and S3 sync then skip it) and
nothing is copied. A changed file is written as a new file, never through a
link, so the previous output is never modified in place.

The staging folder may start empty, or as the spare (a copy of the previous
output made of links to its files, see ``blog/build/output.py``): ``same``
names the files it already shares with the previous output, which are left
alone unless the new site changes them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path


class SiteWriter:
    def __init__(self, staging: Path, previous: Path | None, same: Iterable[str] = (), empty: bool = False) -> None:
        """``empty``: the staging folder was made for this build, so it holds
        only what this writer puts there (each file once)."""
        self.staging = staging
        self.previous = previous
        # Files of the staging folder that are already the previous output's.
        self.same = set(same)
        # Files this build wrote anew: they differ from the previous output's.
        self.fresh: set[str] = set()
        self._made_dirs: set[Path] = set()
        self._empty = empty
        self._placed: set[str] = set()

    def _target(self, relative: str) -> Path:
        target = self.staging / relative
        parent = target.parent
        if parent not in self._made_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(parent)
        return target

    def _old(self, relative: str) -> Path | None:
        if self.previous is None:
            return None
        old = self.previous / relative
        return old if old.is_file() else None

    def _may_hold(self, relative: str) -> bool:
        """Whether the staging folder may already have a file at ``relative``. A
        folder made for this build holds only what this writer put there, so
        nothing need be removed or written over: an unlink per file costs
        0.3 ms and more on a busy disk."""
        return not self._empty or relative in self._placed

    def _cleared(self, relative: str) -> Path:
        """The path of ``relative`` in the staging folder, with nothing there."""
        target = self._target(relative)
        if self._may_hold(relative):
            _unlink(target)
        self._placed.add(relative)
        return target

    def _link_old(self, old: Path, relative: str) -> None:
        if relative in self.same:
            return
        link_or_copy(old, self._cleared(relative))

    def _new_file(self, relative: str) -> Path:
        """The path to write ``relative`` at, with nothing there: writing through an
        existing name could write through a link into the previous output."""
        target = self._cleared(relative)
        self.note_written(relative)
        return target

    def note_written(self, relative: str) -> None:
        """Record that ``relative`` was written anew, here or by another
        process's copy of this writer (the page-rendering workers)."""
        self.same.discard(relative)
        self.fresh.add(relative)

    def reuse(self, relative: str) -> bool:
        """Link the previous build's file; False if there is none."""
        if relative in self.same:
            return True
        old = self._old(relative)
        if old is None:
            return False
        self._link_old(old, relative)
        return True

    def write(self, relative: str, data: bytes) -> bool:
        """Write ``data``; True if it differs from the previous build's file."""
        old = self._old(relative)
        if old is not None and old.stat().st_size == len(data) and old.read_bytes() == data:
            self._link_old(old, relative)
            return False
        self._new_file(relative).write_bytes(data)
        return True

    def copy(self, source: Path, relative: str, compare_bytes: bool = False) -> bool:
        """Copy a file as is (keeping its mtime); True if it differs from the previous one.

        Files are the same when size and mtime are (copies keep the mtime), or,
        with ``compare_bytes``, when their bytes are: for files that are made
        again on every run, such as collected static files."""
        old = self._old(relative)
        if old is not None:
            old_stat, new_stat = old.stat(), source.stat()
            if compare_bytes:
                same = old_stat.st_size == new_stat.st_size and old.read_bytes() == source.read_bytes()
            else:
                same = (old_stat.st_size, old_stat.st_mtime_ns) == (new_stat.st_size, new_stat.st_mtime_ns)
            if same:
                self._link_old(old, relative)
                return False
        shutil.copy2(source, self._new_file(relative))
        return True

    def place(self, source: Path, data: bytes, relative: str) -> bool:
        """Move ``source``, a file made for this build whose bytes are ``data``,
        into place; True if it differs from the previous build's file. An
        unchanged file is linked from the previous output instead, so it keeps
        its modification time, and ``source`` is removed."""
        old = self._old(relative)
        if old is not None and old.stat().st_size == len(data) and old.read_bytes() == data:
            self._link_old(old, relative)
            source.unlink()
            return False
        os.replace(source, self._new_file(relative))
        return True

    def discard(self, relative: str) -> None:
        """Remove a file the new site does not have, and folders it leaves empty."""
        self.same.discard(relative)
        target = self.staging / relative
        if not _unlink(target):
            return
        folder = target.parent
        while folder != self.staging:
            try:
                folder.rmdir()
            except OSError:
                break  # not empty
            self._made_dirs.discard(folder)
            folder = folder.parent


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def relink_files(source: Path, target: Path, relatives: Iterable[str]) -> None:
    """Make each of ``relatives`` in the folder ``target`` a hard link to the
    same file of ``source``, in place of whatever is there (a copy, where the
    file system has no hard links). The calls go through the two folders'
    descriptors, so each resolves its path from the folder, not from the
    root, and no Path is made; a folder is made only when a link finds none:
    half the time of the same calls on Paths (docs/benchmarks.md, issue 17,
    session 23)."""
    source_folder = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    try:
        target_folder = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for relative in relatives:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(relative, dir_fd=target_folder)
                try:
                    os.link(relative, relative, src_dir_fd=source_folder, dst_dir_fd=target_folder)
                except OSError:
                    # No folder for it in the target yet, or no hard links here.
                    (target / relative).parent.mkdir(parents=True, exist_ok=True)
                    link_or_copy(source / relative, target / relative)
        finally:
            os.close(target_folder)
    finally:
        os.close(source_folder)


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        # Some file systems have no hard links; a copy keeps the bytes and mtime.
        shutil.copy2(source, target)

"""Fill the staging folder, writing only files whose bytes changed.

A file that is the same as in the previous output is hard-linked from it, so
its modification time stays as it was (rsync and S3 sync then skip it) and
nothing is copied. A changed file is written as a new file, never through a
link, so the previous output is never modified in place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class SiteWriter:
    def __init__(self, staging: Path, previous: Path | None) -> None:
        self.staging = staging
        self.previous = previous
        self._made_dirs: set[Path] = set()

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

    def reuse(self, relative: str) -> bool:
        """Link the previous build's file; False if there is none."""
        old = self._old(relative)
        if old is None:
            return False
        _link_or_copy(old, self._target(relative))
        return True

    def write(self, relative: str, data: bytes) -> bool:
        """Write ``data``; True if it differs from the previous build's file."""
        target = self._target(relative)
        old = self._old(relative)
        if old is not None and old.stat().st_size == len(data) and old.read_bytes() == data:
            _link_or_copy(old, target)
            return False
        target.write_bytes(data)
        return True

    def copy(self, source: Path, relative: str, compare_bytes: bool = False) -> bool:
        """Copy a file as is (keeping its mtime); True if it differs from the previous one.

        Files are the same when size and mtime are (copies keep the mtime), or,
        with ``compare_bytes``, when their bytes are: for files that are made
        again on every run, such as collected static files."""
        target = self._target(relative)
        old = self._old(relative)
        if old is not None:
            old_stat, new_stat = old.stat(), source.stat()
            if compare_bytes:
                same = old_stat.st_size == new_stat.st_size and old.read_bytes() == source.read_bytes()
            else:
                same = (old_stat.st_size, old_stat.st_mtime_ns) == (new_stat.st_size, new_stat.st_mtime_ns)
            if same:
                _link_or_copy(old, target)
                return False
        shutil.copy2(source, target)
        return True


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        # Some file systems have no hard links; a copy keeps the bytes and mtime.
        shutil.copy2(source, target)

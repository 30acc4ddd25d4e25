"""Output folders compared as trees: every file's path and bytes, nothing else."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file, folder and link under ``folder`` (hidden ones included), with
    a digest of its bytes. Modification times are left out: a static host
    serves bytes, and the build keeps the times of unchanged files anyway."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for name in dirnames:
            path = here / name
            found[path.relative_to(folder).as_posix() + "/"] = (
                f"link -> {os.readlink(path)}" if path.is_symlink() else "folder"
            )
        for name in filenames:
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = f"link -> {os.readlink(path)}"
            else:
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def tree_difference(first: dict[str, str], second: dict[str, str], limit: int = 10) -> str:
    """A short account of how two digests differ, for assertion messages."""
    only_first = sorted(first.keys() - second.keys())
    only_second = sorted(second.keys() - first.keys())
    changed = sorted(k for k in first.keys() & second.keys() if first[k] != second[k])
    return (
        f"only in the first: {only_first[:limit]}; only in the second: {only_second[:limit]}; "
        f"different bytes: {changed[:limit]}"
    )


def overlay(target: Path, *sources: Path) -> None:
    """Copy each of ``sources`` over ``target``, keeping modification times."""
    for source in sources:
        shutil.copytree(source, target, dirs_exist_ok=True)

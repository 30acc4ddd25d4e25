"""Output folders compared as trees: every file's path and bytes, nothing else."""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
from dataclasses import dataclass
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


# Trees with every file's bytes and modification time, for the incremental tests.


@dataclass(frozen=True)
class Entry:
    data: bytes | None  # None for a folder
    mtime_ns: int


def snapshot(folder: Path) -> dict[str, Entry]:
    entries = {}
    for path in folder.rglob("*"):
        stat = path.lstat()
        data = None if path.is_dir() and not path.is_symlink() else path.read_bytes()
        entries[path.relative_to(folder).as_posix()] = Entry(data, stat.st_mtime_ns)
    return entries


def tree_differences(incremental: dict[str, Entry], clean: dict[str, Entry]) -> list[str]:
    """What differs between two trees, with a short diff of each differing text file."""
    problems = [f"only in the incremental build: {p}" for p in sorted(incremental.keys() - clean.keys())]
    problems += [f"only in the clean build: {p}" for p in sorted(clean.keys() - incremental.keys())]
    for path in sorted(incremental.keys() & clean.keys()):
        ours, theirs = incremental[path].data, clean[path].data
        if ours == theirs:
            continue
        problems.append(f"differs: {path}")
        if ours is not None and theirs is not None:
            diff = difflib.unified_diff(
                theirs.decode(errors="replace").splitlines(),
                ours.decode(errors="replace").splitlines(),
                "clean",
                "incremental",
                lineterm="",
                n=1,
            )
            problems += [f"    {line}" for line in list(diff)[:20]]
    return problems


def rewritten_unchanged_files(before: dict[str, Entry], after: dict[str, Entry]) -> list[str]:
    """Files whose bytes are as before but whose modification time is not."""
    return sorted(
        path
        for path, entry in after.items()
        if entry.data is not None
        and path in before
        and before[path].data == entry.data
        and before[path].mtime_ns != entry.mtime_ns
    )

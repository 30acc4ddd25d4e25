"""The build id in the output's marker: a name for the tree of files the
output holds, the same for the same tree however it was made (by two clones
of the same content, or by an incremental build and a clean one).

The id is the sum, modulo 2**128, of a digest of each file's path and what its
key says of its bytes. A sum does not depend on the order of the files, so a
build gets the new id from the previous one by taking out the digests of the
files it changed or removed and adding those of the files it changed or added.
The previous output's files and their keys are the ones the cache recorded for
it, which the build has read anyway; a build without a previous output it
trusts sums every file. At 50,000 posts (67,000 files), sorting and hashing
every file's path and key took 0.085 s of each build; the compare that finds
the few changed files takes about 0.015 s (docs/benchmarks.md, issue 17,
session 20).
"""

from __future__ import annotations

import hashlib

_MODULUS = 1 << 128


def tree_id(keys: dict[str, str], previous_keys: dict[str, str], previous_id: int) -> str:
    """The id of the tree of files ``keys`` (path -> key), from the id
    ``previous_id`` of the files ``previous_keys``: of an empty tree, 0 and {}."""
    total = previous_id
    total -= sum(_digest(path, key) for path, key in previous_keys.items() if keys.get(path) != key)
    total += sum(_digest(path, key) for path, key in keys.items() if previous_keys.get(path) != key)
    return f"{total % _MODULUS:032x}"


def _digest(path: str, key: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{path}\0{bytes_named(key)}".encode(), digest_size=16).digest())


def copied_file_key(size: int, mtime_ns: int) -> str:
    """The key of a file copied from content/ (blog/build/plan.py): its size
    and mtime, which change when it does. Made here, beside bytes_named, which
    reads it back."""
    return f"{size}:{mtime_ns}"


def bytes_named(key: str) -> str:
    """What a file's key says of its bytes. Two clones of the same content give
    a copied file different mtimes: the tree counts its size (copied_file_key).
    Every other key names the bytes themselves: a digest of them, or the name
    of an image's resized copy, which is made of one."""
    size, colon, _mtime = key.partition(":")
    return size if colon and size.isdigit() else key

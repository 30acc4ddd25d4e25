"""The files of the built site, as publishing sees them: each one's MD5,
size and headers."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..build.output import MARKER
from .headers import Headers, headers_for
from .targets import HeaderRule

# Enough of a file to tell an RSS feed from an Atom feed.
HEAD_BYTES = 512
# Hashing threads: hashlib releases the GIL on large buffers.
HASH_THREADS = 4


@dataclass(frozen=True)
class LocalFile:
    relative: str  # the site path, with forward slashes: "2024/03/slug/index.html"
    path: Path
    size: int
    md5: str  # hex
    headers: Headers


def site_files(output: Path) -> list[str]:
    """Every file of the built site, sorted, without the build's marker."""
    found = []
    for folder, dirs, files in os.walk(output):
        dirs.sort()
        base = os.path.relpath(folder, output)
        for name in files:
            relative = name if base == "." else f"{base}/{name}".replace(os.sep, "/")
            if relative != MARKER:
                found.append(relative)
    return sorted(found)


def scan(output: Path, rules: tuple[HeaderRule, ...] = ()) -> dict[str, LocalFile]:
    """Every file of ``output`` with its digest and headers."""

    def read(relative: str) -> LocalFile:
        path = output / relative
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
            file.seek(0)
            digest = hashlib.file_digest(file, "md5").hexdigest()
            size = file.tell()
        return LocalFile(relative, path, size, digest, headers_for(relative, head, rules))

    with ThreadPoolExecutor(HASH_THREADS) as pool:
        return {found.relative: found for found in pool.map(read, site_files(output))}

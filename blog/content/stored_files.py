"""What the cache remembers of the source files, read the way the content
sync compares it with the folder: the stat of every file as one set, which
SQLite's rows become with no Python step per file, and the whole record only
of the few files a stat does not settle (those with warnings, images or
other inputs) and of the files that changed.

At 50,000 posts, a record per file made into a tuple and checked one by one
was 0.17 s of every edit's sync (docs/benchmarks.md, issue 17, session 19)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import ContentProblem
from ..models import QUERY_BATCH, SourceFile
from .render_inputs import InputsNow
from .rows import json_value, plain_rows, sql_rows

# A file's stat as list_content gives it: (path in content/, mtime_ns, size).
Stat = tuple[str, int, int]


class StoredFile(NamedTuple):
    """What the cache remembers of a source file."""

    path: str
    mtime_ns: int
    size: int
    digest: str
    warnings: str  # as stored: JSON text
    images: str  # as stored: JSON text, {path: [size, mtime_ns]}
    image_copies: str  # as stored: JSON text, {output file: cached file}
    inputs: str  # as stored: JSON text

    def problems(self) -> list[ContentProblem]:
        if self.warnings == "[]":
            return []
        return [ContentProblem(*warning) for warning in json_value(self.warnings)]

    def inputs_hold(self, content_dir: str, image_cache: str, inputs_now: InputsNow) -> bool:
        """Whether every image the file used is as it was read, every copy made
        of them is still in the cache, and every other input (a Liquid include
        or data file) is what it was."""
        for relative, (size, mtime_ns) in json_value(self.images).items():
            try:
                stat = os.stat(os.path.join(content_dir, relative))
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
                return False
        copies = json_value(self.image_copies).values()
        if not all(os.path.isfile(os.path.join(image_cache, cached)) for cached in copies):
            return False
        return self.inputs == "[]" or inputs_now.hold(json_value(self.inputs))


@dataclass
class StoredFiles:
    # The stat of every stored file.
    stats: set[Stat] = field(default_factory=set)
    # The files a stat does not settle: those with warnings, images, image
    # copies or other inputs, by path.
    noted: dict[str, StoredFile] = field(default_factory=dict)

    @classmethod
    def load(cls) -> StoredFiles:
        stats = set(plain_rows(SourceFile.objects.values_list("path", "mtime_ns", "size")))
        columns = ", ".join(StoredFile._fields)
        # As stored, an empty list or mapping is the text "[]" or "{}".
        sql = (
            f"SELECT {columns} FROM {SourceFile._meta.db_table} "
            "WHERE warnings != '[]' OR images != '{}' OR image_copies != '{}' OR inputs != '[]'"
        )
        return cls(stats, {row.path: row for row in map(StoredFile._make, sql_rows(sql, []))})

    def gone(self, files: tuple[Stat, ...], sources: set[str]) -> set[str]:
        """The stored files that are no longer ``sources`` (paths in
        content/), given ``files``, the folder's list_content: a file whose
        stat is the stored one is still there, and most are."""
        return {path for path, _mtime_ns, _size in self.stats.difference(files)} - sources

    def problems(self, path: str) -> list[ContentProblem]:
        """The warnings stored for the file ``path``."""
        noted = self.noted.get(path)
        return noted.problems() if noted else []

    def digests(self, paths: list[str]) -> dict[str, str]:
        """The digest of the bytes stored for each of ``paths`` that has one."""
        if not self.stats:
            return {}
        found = {}
        for start in range(0, len(paths), QUERY_BATCH):
            batch = paths[start : start + QUERY_BATCH]
            found.update(plain_rows(SourceFile.objects.filter(path__in=batch).values_list("path", "digest")))
        return found


def stored_image_copies() -> list[dict[str, str]]:
    """The resized copies of images each stored file uses ({output file: its
    file in the image cache}), of the few files that use any: SQLite leaves
    out the others, which at 50,000 posts cost 0.015 s a build as rows."""
    sql = f"SELECT image_copies FROM {SourceFile._meta.db_table} WHERE image_copies != '{{}}'"
    return [json_value(text) for (text,) in sql_rows(sql, [])]

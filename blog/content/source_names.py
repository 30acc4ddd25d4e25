"""Find a Markdown source by the name another generator's link gives it.

A site moved in keeps its file names but not its folders: Jekyll's
``{% link en/news/_posts/x.md %}`` names what is now ``posts/x.md``. So a
link is matched on the file's name; when several sources share it, the one
whose folders share more names with the written path wins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .sources import MARKDOWN_SUFFIXES


@dataclass(frozen=True)
class SourceNames:
    """Every Markdown source, by path relative to the content folder.

    The paths are kept as one newline-separated string: this goes to the
    worker processes with every batch of files to render, and one string
    pickles in a copy where 10,000 strings took 16 ms a batch."""

    joined: str
    _by_name: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, paths: Iterable[str]) -> SourceNames:
        return cls("\n".join(paths))

    def __getstate__(self) -> dict:
        return {"joined": self.joined, "_by_name": {}}  # the index is rebuilt where it is used

    def find(self, written: str) -> str | None:
        """The source that ``written`` (a path or a file name, with or
        without its .md suffix) names, or None."""
        written = written.strip().strip("/")
        if not written:
            return None
        wanted = PurePosixPath(written)
        names = [wanted.name]
        if not wanted.name.endswith(MARKDOWN_SUFFIXES):
            names = [wanted.name + suffix for suffix in MARKDOWN_SUFFIXES]
        candidates = [path for name in names for path in self._index().get(name, ())]
        if not candidates:
            return None
        written_folders = wanted.parts[:-1]
        return max(
            sorted(candidates), key=lambda path: _shared_folders(PurePosixPath(path).parts[:-1], written_folders)
        )

    def _index(self) -> dict[str, list[str]]:
        # Built on first use, in the process that uses it: most posts link nowhere.
        if not self._by_name and self.joined:
            for path in self.joined.split("\n"):
                self._by_name.setdefault(PurePosixPath(path).name, []).append(path)
        return self._by_name


def _shared_folders(folders: tuple[str, ...], written: tuple[str, ...]) -> int:
    """How many of the written folders the source's path has (Jekyll's
    ``_posts`` is gone after a move, the others often stay)."""
    return len(set(folders) & set(written))

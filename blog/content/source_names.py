"""Find a Markdown source by the name another generator's link gives it.

A site moved in keeps its file names but not its folders: Jekyll's
``{% link en/news/_posts/x.md %}`` names what is now ``posts/x.md``. So a
link is matched on the file's name; when several sources share it, the one
whose folders match more of the written path wins."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .sources import MARKDOWN_SUFFIXES


@dataclass(frozen=True)
class SourceNames:
    """Every Markdown source, by path relative to the content folder."""

    paths: tuple[str, ...]
    _by_name: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

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
        return max(sorted(candidates), key=lambda path: _shared_tail(PurePosixPath(path).parts[:-1], written_folders))

    def _index(self) -> dict[str, list[str]]:
        # Built on first use, in the process that uses it: most posts link nowhere.
        if not self._by_name and self.paths:
            for path in self.paths:
                self._by_name.setdefault(PurePosixPath(path).name, []).append(path)
        return self._by_name


def _shared_tail(folders: tuple[str, ...], written: tuple[str, ...]) -> int:
    """How many folders at the end of ``folders`` match the end of ``written``."""
    count = 0
    for mine, theirs in zip(reversed(folders), reversed(written), strict=False):
        if mine != theirs:
            break
        count += 1
    return count

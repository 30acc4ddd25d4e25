"""What a post's body was rendered from, besides its own file.

Liquid lets a post read other files (``_includes/``, ``_data/``,
``_config.yml``), the site's address and the names of other posts. The
render records each thing it read with what it was; the next sync renders
the post again when one of them changed, exactly as it does when the post's
own bytes change. Nothing is listed by hand: what was not read is not an input.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .source_names import SourceNames

# Kinds of input, each with how to find its value now (InputsNow.value).
FILE = "file"  # a file in the content folder: its digest, "" when missing
SOURCE = "source"  # a link to another source, by name: the path it finds
SITE = "site"  # a site setting: its value
LISTING = "listing"  # a folder in the content folder: the names in it


def folder_listing(path: Path) -> str:
    try:
        return "\n".join(sorted(entry.name for entry in path.iterdir() if not entry.name.startswith(".")))
    except (FileNotFoundError, NotADirectoryError):
        return ""


@dataclass
class RenderInputs:
    """Collects the inputs one render reads, in the order read."""

    entries: dict[tuple[str, str], str] = field(default_factory=dict)

    def record(self, kind: str, key: str, value: str) -> None:
        self.entries.setdefault((kind, key), value)

    def as_list(self) -> list[list[str]]:
        """JSON-ready, in a stable order, for SourceFile.inputs."""
        return [[kind, key, value] for (kind, key), value in sorted(self.entries.items())]


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return ""


@dataclass
class InputsNow:
    """Works out what each recorded input is now, once per input per sync."""

    content_dir: Path
    names: SourceNames
    settings: dict[str, str]
    _known: dict[tuple[str, str], str] = field(default_factory=dict)

    def value(self, kind: str, key: str) -> str | None:
        if (kind, key) not in self._known:
            if kind == FILE:
                found: str | None = file_digest(self.content_dir / key)
            elif kind == SOURCE:
                found = self.names.find(key) or ""
            elif kind == LISTING:
                found = folder_listing(self.content_dir / key)
            elif kind == SITE:
                found = self.settings.get(key)
            else:
                found = None  # written by another version: never holds
            self._known[(kind, key)] = found
        return self._known[(kind, key)]

    def hold(self, inputs: list) -> bool:
        """Whether every input in ``inputs`` (as stored) is what it was."""
        return all(self.value(kind, key) == value for kind, key, value in inputs)

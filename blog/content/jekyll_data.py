"""``site.data``: the files of ``content/_data/``, read when a post asks.

Jekyll reads ``_data/authors.yml`` as ``site.data.authors``, and
``_data/team/alice.json`` as ``site.data.team.alice``. Only the files a post
uses are read, and each one read is recorded as an input of that post.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

import yaml

from ..errors import ContentError
from .frontmatter import toml_error_line
from .render_inputs import FILE, LISTING, RenderInputs, file_digest, folder_listing

# libyaml's loader when PyYAML has it: every post that reads a data file parses it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA_DIR = "_data"
DATA_SUFFIXES = (".yml", ".yaml", ".json", ".toml", ".csv", ".tsv")


class DataFileError(Exception):
    """A data file a post read is not valid; reported against the data file."""

    def __init__(self, relative: str, error: ContentError | UnicodeDecodeError) -> None:
        super().__init__(str(error))
        self.relative = relative
        self.line = getattr(error, "line", 1) or 1
        self.message = getattr(error, "message", f"not UTF-8: {error}")


class DataFolder(Mapping):
    """One folder of ``_data/`` as a read-only mapping of its files and folders."""

    def __init__(self, content_dir: Path, relative: str, inputs: RenderInputs) -> None:
        self._content_dir = content_dir
        self._relative = relative
        self._inputs = inputs
        self._loaded: dict[str, object] = {}

    def _names(self) -> dict[str, str]:
        """Key -> file or folder name, as the folder holds them now (recorded)."""
        listing = folder_listing(self._content_dir / self._relative)
        self._inputs.record(LISTING, self._relative, listing)
        found: dict[str, str] = {}
        for name in listing.split("\n") if listing else ():
            path = PurePosixPath(name)
            if path.suffix in DATA_SUFFIXES:
                found.setdefault(path.stem, name)
            elif not path.suffix and (self._content_dir / self._relative / name).is_dir():
                found.setdefault(name, name)
        return found

    def __getitem__(self, key: str) -> object:
        if key in self._loaded:
            return self._loaded[key]
        name = self._names().get(str(key))
        if name is None:
            raise KeyError(key)
        relative = f"{self._relative}/{name}"
        path = self._content_dir / relative
        if path.is_dir():
            value: object = DataFolder(self._content_dir, relative, self._inputs)
        else:
            data = path.read_bytes()
            self._inputs.record(FILE, relative, file_digest(path))
            try:
                value = parse_data_file(data.decode("utf-8-sig"), PurePosixPath(name).suffix)
            except (ContentError, UnicodeDecodeError) as exc:
                raise DataFileError(relative, exc) from None
        self._loaded[key] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._names()))

    def __len__(self) -> int:
        return len(self._names())


def parse_data_file(text: str, suffix: str) -> object:
    """The value of one data file; a ContentError with its line when it is not valid."""
    if suffix in (".yml", ".yaml"):
        try:
            return yaml.load(text, Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ContentError(f"invalid YAML: {exc}", line=mark.line + 1 if mark else 1) from None
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContentError(f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ContentError(f"invalid TOML: {exc}", line=toml_error_line(exc) or 1) from None
    return list(csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ","))

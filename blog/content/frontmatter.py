"""Split a Markdown source into front matter and body.

Three header styles are accepted, so posts exported from other generators
build unchanged:

- YAML between ``---`` lines (Jekyll, Hugo),
- TOML between ``+++`` lines (Hugo, Zola),
- a Pelican-style block of ``Key: value`` lines ended by a blank line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

import yaml

from ..errors import ContentError

try:  # The C loader is several times faster on large front matter.
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _YamlLoader(_BaseLoader):
    """YAML without implicit timestamps: dates stay text and blog.dates reads
    them, so an impossible date is a content error with its line and the
    accepted forms, not a crash inside the YAML library."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

# Lines that start a top-level statement of a header ("key:" in YAML, "key =" or
# "[table]" in TOML): where a value that swallowed the lines after it began.
_STATEMENT_START = {
    "YAML": re.compile(r"^[^\s#\-][^:]*:(?:\s|$)"),
    "TOML": re.compile(r"^\s*(?:\[|[A-Za-z0-9_\"'.-][^=]*=)"),
}
# The header's first line is the file's second.
_HEADER_OFFSET = 2
_PELICAN_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*)|[ \t]*)$")
_TOML_LINE = re.compile(r"at line (\d+)")


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """The line tomllib names in its message ("... (at line 3, column 7)"), if any."""
    found = _TOML_LINE.search(str(exc))
    return int(found.group(1)) if found else None


@dataclass
class FrontMatter:
    meta: dict
    body: str
    # Line number (in the file) of the body's first line, so that problems
    # found in the body can be reported against the file.
    body_line: int
    # Line number of each top-level key, for error messages.
    key_lines: dict[str, int] = field(default_factory=dict)
    # "YAML", "TOML" or "" (Pelican's, or none): Zola writes only TOML.
    kind: str = ""

    def line_of(self, key: str) -> int:
        """The line of ``key`` ("taxonomies.tags" for a key inside a TOML table)."""
        if key in self.key_lines:
            return self.key_lines[key]
        return self.key_lines.get(key.split(".")[0], 1)


def split_front_matter(text: str) -> FrontMatter:
    """Return the metadata and body of ``text`` (already decoded, BOM removed)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = lines[0].rstrip() if lines else ""
    if first == "---":
        return _fenced(lines, ("---", "..."), _load_yaml, "YAML")
    if first == "+++":
        return _fenced(lines, ("+++",), _load_toml, "TOML")
    if _PELICAN_KEY.match(lines[0]):
        return _pelican(lines)
    return FrontMatter(meta={}, body=text, body_line=1)


def _fenced(lines: list[str], closers: tuple[str, ...], load, kind: str) -> FrontMatter:
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            break
    else:
        raise ContentError(
            f"the {kind} front matter opened on line 1 never closes",
            line=1,
            hint=f"end it with a line holding only {closers[0]}",
        )
    header = "\n".join(lines[1:index])
    try:
        meta = load(header)
    except ContentError as exc:
        raise _where_it_starts(exc, lines[1:index], load, kind) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(
            f"the {kind} front matter must be a set of keys, not a {type(meta).__name__}",
            line=2,
            hint="write one key: value pair per line",
        )
    key_lines = _key_lines(lines[1:index], first_line=2)
    body = "\n".join(lines[index + 1 :])
    return FrontMatter(meta=meta, body=body, body_line=index + 2, key_lines=key_lines, kind=kind)


def _where_it_starts(error: ContentError, header_lines: list[str], load, kind: str) -> ContentError:
    """Move ``error`` to the statement where the mistake starts.

    A quote or bracket left open makes the parser read on into the next
    statements, and it reports the line where it finally gives up: the end
    of the header, or some later key. The statement that opened it is the
    first one that a header cut just after it cannot parse; when the parser's
    line is past that statement, the mistake starts there."""
    starts = [i for i, line in enumerate(header_lines) if _STATEMENT_START[kind].match(line)]
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(header_lines)
        try:
            load("\n".join(header_lines[:end]))
        except ContentError:
            first, last = start + _HEADER_OFFSET, end - 1 + _HEADER_OFFSET
            if error.line is not None and first <= error.line <= last:
                return error  # the parser's own line is inside the statement: the more precise
            return ContentError(
                f"{error.message}; the value that starts on line {first} is not closed,"
                f" so the parser read on to line {error.line}",
                line=first,
                hint="close the quote or bracket opened on this line",
            )
    return error


def _load_yaml(header: str):
    try:
        return yaml.load(header, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        # The mark counts from 0 inside the header, which starts on file line 2.
        line = mark.line + _HEADER_OFFSET if mark is not None else _HEADER_OFFSET
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(
            f"invalid YAML front matter: {problem}",
            line=line,
            hint="quote values that contain ': ' or start with a special character",
        ) from None


def _load_toml(header: str):
    try:
        return tomllib.loads(header)
    except tomllib.TOMLDecodeError as exc:
        found = toml_error_line(exc)
        # Without a line, tomllib means "at end of document": the header's last line.
        line = found + 1 if found else 1 + max(1, len(header.splitlines()))
        message = str(exc).split(" (at ")[0]
        raise ContentError(
            f"invalid TOML front matter: {message}",
            line=line,
            hint='strings need quotes: title = "My post"',
        ) from None


def _pelican(lines: list[str]) -> FrontMatter:
    meta: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    key = None
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        match = _PELICAN_KEY.match(line)
        if match:
            key = match.group(1).lower()
            meta[key] = (match.group(2) or "").strip()
            key_lines[key] = index + 1
        elif key is not None and line[:1] in (" ", "\t"):
            # An indented line continues the previous value.
            meta[key] = f"{meta[key]} {line.strip()}".strip()
        else:
            # Not a header after all: the text just starts with "Word: ...".
            return FrontMatter(meta={}, body="\n".join(lines), body_line=1)
    else:
        index = len(lines)
    body = "\n".join(lines[index + 1 :])
    return FrontMatter(meta=meta, body=body, body_line=index + 2, key_lines=key_lines)


def _key_lines(header_lines: list[str], first_line: int) -> dict[str, int]:
    found: dict[str, int] = {}
    table = ""  # the TOML [table] the lines are in, e.g. Zola's [taxonomies]
    for offset, line in enumerate(header_lines):
        header = re.match(r"^\[([A-Za-z_][\w.-]*)\]\s*$", line)
        if header:
            table = header.group(1) + "."
            found.setdefault(header.group(1), first_line + offset)
            continue
        match = re.match(r"^([A-Za-z_][\w-]*)\s*[:=]", line)
        if match:
            found.setdefault(table + match.group(1), first_line + offset)
    return found

"""Write an imported file, never over an author's edits.

Each file carries, as its last front-matter key, a digest of what the importer
wrote. If the file's text no longer matches it, the author has edited it: it is
left alone unless ``--force``. A file with no digest was not written by the
importer, and is left alone too. No database on the side is needed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import yaml

try:  # libyaml's dumper is several times faster, and writes the same YAML.
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Dumper = yaml.SafeDumper

DIGEST_KEY = "wordpress_import_digest"
_DIGEST_LINE = re.compile(rf"^{DIGEST_KEY}: ([0-9a-f]+)\n", re.MULTILINE)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
EDITED = "edited (left alone)"
OVERWRITTEN = "edited, overwritten (--force)"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def front_matter(meta: dict) -> str:
    """YAML that our reader reads back to the same values: the dumper quotes
    whatever needs it (colons, quotes, ``</script>``, leading dashes)."""
    return yaml.dump(
        meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000
    )


def render_file(meta: dict, body: str) -> str:
    """The file's text, with the digest of the rest as the last front-matter key."""
    front = front_matter(meta)
    unsigned = f"---\n{front}---\n{body}"
    return f"---\n{front}{DIGEST_KEY}: {_digest(unsigned)}\n---\n{body}"


def written_by_importer(text: str) -> bool:
    """Whether ``text`` carries the importer's digest, edited since or not."""
    return _DIGEST_LINE.search(text) is not None


def is_ours_unedited(text: str) -> bool:
    """Whether ``text`` is exactly what the importer wrote."""
    match = _DIGEST_LINE.search(text)
    if match is None:
        return False
    unsigned = text[: match.start()] + text[match.end() :]
    return _digest(unsigned) == match.group(1)


def write_file(path: Path, text: str, force: bool, dry_run: bool) -> str:
    """Write ``text`` to ``path`` unless that would lose an edit; say what happened."""
    if path.exists():
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == text:
            return UNCHANGED
        outcome = UPDATED if is_ours_unedited(current) else OVERWRITTEN if force else EDITED
        if outcome == EDITED:
            return outcome
    else:
        outcome = CREATED
    if not dry_run:
        write_atomic(path, text.encode("utf-8"))
    return outcome


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

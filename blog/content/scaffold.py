"""A new post's file, with its front matter filled in, ready to write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from .sources import POSTS_DIR, read_site

# A title with no letter or digit (only emoji, say) still needs a file name.
FALLBACK_SLUG = "post"
# File systems allow 255 bytes in a name; leave room for the date and ".md".
MAX_SLUG_BYTES = 200
# Characters YAML reads as they are inside double quotes (YAML 1.1 "printable",
# less the line breaks, which would be folded into spaces).
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_PLAIN_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x2027),
    (0x202A, 0xD7FF),
    (0xE000, 0xFEFE),
    (0xFF00, 0xFFFD),
    (0x10000, 0x10FFFF),
)


@dataclass
class NewPost:
    title: str
    tags: list[str] = field(default_factory=list)
    draft: bool = False


class PostExists(Exception):
    """The file a new post would be written to is already there."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def split_tags(text: str) -> list[str]:
    """``"a, b,,a"`` -> ``["a", "b"]``: trimmed, no empty or repeated tags."""
    return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


def post_slug(title: str) -> str:
    """The title's slug, as the post's URL will have it, cut at a dash if very long."""
    slug = slugify(title, allow_unicode=True)
    while len(slug.encode()) > MAX_SLUG_BYTES:
        shorter = slug.rsplit("-", 1)[0] if "-" in slug else slug[:-1]
        slug = shorter.rstrip("-")
    return slug or FALLBACK_SLUG


def post_path(content_dir: Path, title: str, when: dt.datetime) -> Path:
    slug = post_slug(title)
    return content_dir / POSTS_DIR / f"{when:%Y-%m-%d}-{slug}.md"


def front_matter(post: NewPost, when: dt.datetime) -> str:
    lines = [
        "---",
        f"title: {_quoted(post.title)}",
        # With its offset, so the date means the same in any time zone.
        f"date: {when.replace(microsecond=0).isoformat()}",
        f"tags: [{', '.join(_quoted(tag) for tag in post.tags)}]",
        f"draft: {'true' if post.draft else 'false'}",
        "---",
        "",
    ]
    return "\n".join(lines) + "\n"


def create_post(content_dir: Path, post: NewPost, now: dt.datetime | None = None) -> Path:
    """Write the new post's file and return its path; never overwrite a file.

    The date is ``now`` in the site's time zone (from site.toml), which also
    dates the file name. Raises ContentErrors for a broken site.toml.
    """
    site = read_site(content_dir)
    when = (now or timezone.now()).astimezone(site.zone)
    path = post_path(content_dir, post.title, when)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x": create, or fail if the file exists, in one step.
        with path.open("x", encoding="utf-8") as file:
            file.write(front_matter(post, when))
    except FileExistsError:
        raise PostExists(path) from None
    return path


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar that reads back as ``text``, whatever it holds
    (``: ``, ``#``, quotes, emoji), and stays readable."""
    out = []
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif any(low <= code <= high for low, high in _PLAIN_RANGES):
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'

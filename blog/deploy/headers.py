"""The HTTP headers each published file is stored with.

Content-Type comes from the file's name (Python's built-in table only, never
the machine's /etc/mime.types, so every machine publishes the same headers),
with ``charset=utf-8`` on text, and from the root element for XML (a feed is
RSS or Atom). Cache-Control follows what the file is: a static file with a
content hash in its name never changes, so browsers and CDNs may keep it for
a year; pages, feeds and the sitemap change at every publish, so they are kept
briefly and revalidated. ``[publish.<name>.headers]`` globs override both.
"""

from __future__ import annotations

import mimetypes
import re
from fnmatch import fnmatchcase
from typing import NamedTuple

from .targets import HeaderRule

IMMUTABLE = "public, max-age=31536000, immutable"
# Pages, feeds and the sitemap: a minute in browsers, then asked again (a
# 304 when unchanged); the CDN is told of changes by the invalidation.
REVALIDATED = "public, max-age=60, must-revalidate"
# Files without a hash in the name (content images, code.css): an hour.
SHORT_LIVED = "public, max-age=3600"

# ManifestStaticFilesStorage names a hashed copy name.<12 hex digits>.ext.
_HASHED_STATIC = re.compile(r"^static/(?:.*/)?[^/]+\.[0-9a-f]{12}(?:\.[^/.]+)+$")
_TYPES = mimetypes.MimeTypes(filenames=())
# What Python's table lacks or gives differently on some versions.
_EXTRA_TYPES = {
    ".xml": "application/xml",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".md": "text/markdown",
}
_TEXT_TYPES = ("application/xml", "application/json", "application/manifest+json", "image/svg+xml")
_FEED_ROOTS = ((b"<rss", "application/rss+xml"), (b"<feed", "application/atom+xml"))


class Headers(NamedTuple):
    content_type: str
    cache_control: str


def content_type(relative: str, head: bytes) -> str:
    """The Content-Type of the site file ``relative`` whose first bytes are ``head``."""
    suffix = "." + relative.rsplit(".", 1)[-1].lower() if "." in relative.rsplit("/", 1)[-1] else ""
    kind = _EXTRA_TYPES.get(suffix) or _TYPES.guess_type(relative, strict=False)[0] or "application/octet-stream"
    if suffix == ".xml":
        kind = next((feed for root, feed in _FEED_ROOTS if root in head), kind)
    if kind.startswith("text/") or kind in _TEXT_TYPES or kind.endswith(("+xml", "+json")):
        kind += "; charset=utf-8"
    return kind


def cache_control(relative: str) -> str:
    if _HASHED_STATIC.match(relative):
        return IMMUTABLE
    if relative.endswith((".html", ".xml")):
        return REVALIDATED
    return SHORT_LIVED


def headers_for(relative: str, head: bytes, rules: tuple[HeaderRule, ...]) -> Headers:
    """The file's headers: the defaults, then every rule whose glob matches,
    in site.toml's order (a later rule wins)."""
    kind, cache = content_type(relative, head), cache_control(relative)
    for rule in rules:
        if fnmatchcase(relative, rule.glob):
            kind = rule.content_type or kind
            cache = rule.cache_control or cache
    return Headers(kind, cache)

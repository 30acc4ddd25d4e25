"""A post's URL as other generators let authors write it: Zola's ``path``,
Hugo's ``url``, Jekyll's ``permalink`` (a literal one); the date such a path
carries; and aliases in Zola's and Hugo's forms. Pure functions of front
matter values, used by the reader."""

from __future__ import annotations

import posixpath
import re
import unicodedata
from urllib.parse import urlsplit

from ..errors import ContentError

# The keys that set a post's URL, in the order they are looked for.
URL_KEYS = ("path", "url", "permalink")
# YYYY/MM/DD/ or YYYY/MM/ at the start of a path: where Zola and Hugo sites
# written without a date in front matter keep it.
_DATED_PATH = re.compile(r"^(\d{4})/(\d{2})/(?:(\d{2})/)?")
# Characters that would change what a path means in a URL or on disk.
_NOT_IN_PATHS = set('\\?#%"<>')
HTML_SUFFIXES = (".html", ".htm")


def author_path(key: str, value) -> tuple[str, str] | None:
    """The post's URL path from the site root, ending in "/", and the old
    ``.html`` address to keep as an alias (or ""), for the value of ``key``;
    None for a Jekyll permalink pattern (``/:year/:title/``), which is not a
    path. Raises ContentError for a value that is not a usable path."""
    hint = f'write it as a path from the site root, e.g. {key} = "2024/05/my-post"'
    if not isinstance(value, str):
        raise ContentError(f"{key} must be text, not {type(value).__name__} {value!r}", hint=hint)
    text = value.strip()
    if key == "permalink" and ":" in text:
        return None
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or text.startswith("//"):
        raise ContentError(f"{key} {value!r} is a URL of another site, not a path", hint=hint)
    path = text.strip("/")
    segments = path.split("/")
    if not path:
        raise ContentError(f"{key} {value!r} is the site's root, which the home page has", hint=hint)
    if any(c in _NOT_IN_PATHS or unicodedata.category(c).startswith("C") for c in path):
        raise ContentError(f"{key} {value!r} contains a character with a meaning in URLs", hint=hint)
    if any(segment in ("", ".", "..") or segment.startswith(".") for segment in segments):
        raise ContentError(f"{key} {value!r} has an empty, '.' or '..' part, or a hidden folder", hint=hint)
    if path.endswith(HTML_SUFFIXES):
        # An old generator's page file: the post lives at the folder of that
        # name, and the old address redirects to it.
        folder = posixpath.dirname(path) if posixpath.basename(path).startswith("index.") else path.rsplit(".", 1)[0]
        if not folder:
            raise ContentError(f"{key} {value!r} names the site's home page", hint=hint)
        return folder + "/", "/" + path
    return path + "/", ""


def date_in_path(path: str) -> str | None:
    """``YYYY-MM-DD`` from a path that starts with ``YYYY/MM/DD/`` (or
    ``YYYY/MM/``: the first of the month), else None."""
    match = _DATED_PATH.match(path)
    if not match:
        return None
    year, month, day = match.groups()
    return f"{year}-{month}-{day or '01'}"


def alias_path(alias: str, post_path: str, from_root: bool) -> str:
    """The site-relative path (starting with "/") of an alias written in front
    matter. One starting with "/" is from the site's root. Otherwise Zola's
    (``from_root``) are from the root too, while Hugo's, like any starting with
    ``./`` or ``../``, are relative to the page: resolved from the folder the
    post's own folder is in (``old`` on ``/posts/new/`` is ``/posts/old``).
    Raises ContentError when it is no such path."""
    hint = "write it as a path from the site root, e.g. /2015/old-name/"
    parts = urlsplit(alias)
    if (
        not alias.strip()
        or alias.startswith("//")
        or parts.scheme
        or parts.netloc
        or parts.query
        or parts.fragment
        or any(unicodedata.category(c).startswith("C") for c in alias)
    ):
        raise ContentError(f"alias {alias!r} is not a site-relative path", hint=hint)
    if alias.startswith("/"):
        resolved = alias
    elif from_root and not alias.startswith(("./", "../")):
        resolved = "/" + alias
    else:
        folder = posixpath.dirname("/" + post_path.rstrip("/"))
        resolved = posixpath.normpath(posixpath.join(folder, alias))
        if resolved.startswith("//"):
            resolved = resolved[1:]
        if alias.endswith("/") and not resolved.endswith("/"):
            resolved += "/"
    if ".." in resolved.split("/") or resolved.startswith("/.."):
        raise ContentError(f"alias {alias!r} leads outside the site", hint=hint)
    if resolved.strip("/") == "":
        raise ContentError(f"alias {alias!r} is the site's root, which the home page has", hint=hint)
    return resolved

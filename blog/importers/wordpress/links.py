"""Links inside bodies: to other imported items (``?p=N`` forms included) they
point at the new URLs; to ``wp-content/uploads/…`` at the imported copies."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from bs4 import BeautifulSoup

UPLOADS_MARKER = "/wp-content/uploads/"
# Where imported uploads live in content/, so their old paths keep working too.
UPLOADS_FOLDER = "wp-content/uploads"


@dataclass
class LinkMap:
    """Old addresses -> new ones, for one export."""

    old_hosts: set[str]
    base_path: str
    by_id: dict[str, str] = field(default_factory=dict)
    by_path: dict[str, str] = field(default_factory=dict)
    uploads_dir: Path | None = None

    def is_old_site(self, netloc: str) -> bool:
        return not netloc or netloc.lower().removeprefix("www.") in self.old_hosts

    def item_url(self, url: str) -> str | None:
        """The new URL of an imported item that ``url`` names, with its #fragment."""
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or not self.is_old_site(parts.netloc):
            return None
        if not parts.netloc and not parts.path.startswith("/") and not parts.query:
            return None  # a relative link: it means the same thing where it lands
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        query = parse_qs(parts.query)
        for key in ("p", "page_id"):
            if key in query and query[key][0] in self.by_id:
                return self.by_id[query[key][0]] + fragment
        found = self.by_path.get(normal_path(parts.path))
        return found + fragment if found else None

    def upload(self, url: str) -> tuple[str, str] | None:
        """``(path inside uploads, new URL)`` for a link into ``wp-content/uploads``."""
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or not self.is_old_site(parts.netloc):
            return None
        path = unquote(parts.path)
        if UPLOADS_MARKER not in path:
            return None
        relative = posixpath.normpath(path.split(UPLOADS_MARKER, 1)[1])
        if relative.startswith(("..", "/")) or relative == ".":
            return None
        return relative, self.base_path + quote(f"{UPLOADS_FOLDER}/{relative}")

    def upload_source(self, relative: str) -> Path | None:
        """The file in ``--uploads`` for ``relative``, if it is there."""
        if self.uploads_dir is None:
            return None
        source = (self.uploads_dir / relative).resolve()
        if not source.is_relative_to(self.uploads_dir.resolve()) or not source.is_file():
            return None
        return source


def normal_path(path: str) -> str:
    """A path as permalinks are compared: decoded, with a trailing slash."""
    path = unquote(path) or "/"
    return path if path.endswith("/") or "." in posixpath.basename(path) else path + "/"


@dataclass
class Rewritten:
    uploads: list[str] = field(default_factory=list)  # paths inside uploads to copy
    missing: list[str] = field(default_factory=list)  # URLs whose file was not found


def rewrite_links(soup: BeautifulSoup, links: LinkMap) -> Rewritten:
    """Point the soup's links and images at the new site, in place."""
    result = Rewritten()
    for element, attribute in [(a, "href") for a in soup.find_all("a", href=True)] + [
        (img, "src") for img in soup.find_all("img", src=True)
    ]:
        url = element[attribute].strip()
        new = new_url(url, links, result)
        if new is not None:
            element[attribute] = new
    for img in soup.find_all("img"):
        # Resized variants (srcset) are not imported; the browser uses src.
        for attribute in ("srcset", "sizes"):
            if img.has_attr(attribute):
                del img[attribute]
    return result


def new_url(url: str, links: LinkMap, result: Rewritten) -> str | None:
    """The new form of ``url``, or None to keep it; notes uploads to copy and those missing."""
    upload = links.upload(url)
    if upload is not None:
        relative, target = upload
        if links.upload_source(relative) is None:
            result.missing.append(url)
            return None
        result.uploads.append(relative)
        return target
    return links.item_url(url)

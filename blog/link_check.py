"""Check that every internal link and asset in the built site resolves.

Links are read from every page and feed; each must lead to a file in the
output, and a ``#fragment`` to an element id in the page it points to. The
links and ids of each page are kept in the cache with the page, so a rebuild
re-checks the whole site while parsing only the pages it rendered.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .content_sync import display_path
from .errors import ContentProblem
from .siteconfig import SiteConfig

_LINK = re.compile(r"""\s(?:href|src)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_ID = re.compile(r"""\sid\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
# Links that are not to a place: nothing to resolve.
_NOT_PLACES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
CHECKED_SUFFIXES = (".html", ".xml")


@dataclass
class PageLinks:
    links: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


def extract(body: bytes) -> PageLinks:
    """The href/src values and element ids of a page or feed."""
    text = body.decode("utf-8", errors="replace")
    links = sorted({html.unescape(m.group(2)).strip() for m in _LINK.finditer(text)})
    ids = sorted({html.unescape(m.group(2)) for m in _ID.finditer(text)})
    return PageLinks(links, ids)


def page_url(site: SiteConfig, relative: str) -> str:
    """The absolute URL a file is served at."""
    path = relative[: -len("index.html")] if relative.endswith("index.html") else relative
    return site.origin + site.base_path + path


def check_links(
    site: SiteConfig, pages: dict[str, PageLinks], files: set[str], sources: dict[str, Path]
) -> list[ContentProblem]:
    """Broken internal links, one problem per page and target. ``sources`` names
    the Markdown file behind a page, so the author knows what to fix."""
    problems = []
    site_root = site.origin + site.base_path
    reported = set()
    # Pages made from a Markdown file first: a broken link in a post is also
    # in the feeds that carry the post, and is reported once, against the post.
    for relative in sorted(pages, key=lambda page: (page not in sources, page)):
        base = page_url(site, relative)
        for link in pages[relative].links:
            reason = _broken(link, base, site_root, pages, files)
            target = urljoin(base, link)
            if not reason or target in reported:
                continue
            reported.add(target)
            source = sources.get(relative)
            problems.append(ContentProblem(
                display_path(source) if source else f"output/{relative}",
                _line_mentioning(source, link) if source else 0,
                f"the page /{relative} links to {link!r}, {reason}",
                "fix the link, or add the file to content/",
            ))
    return problems


def _line_mentioning(source: Path, link: str) -> int:
    """The first line of the Markdown file that holds ``link``, or 0."""
    try:
        lines = source.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    return next((number for number, line in enumerate(lines, start=1) if link in line), 0)


def _broken(link: str, base: str, site_root: str, pages: dict[str, PageLinks], files: set[str]) -> str:
    if not link or link.lower().startswith(_NOT_PLACES):
        return ""
    parts = urlsplit(urljoin(base, link))
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(site_root).netloc:
        return ""  # another site: not ours to check
    location = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if location + "/" == site_root:
        location = site_root
    if not location.startswith(site_root):
        return f"which is outside the site (it is published under {urlsplit(site_root).path})"
    path = unquote(location[len(site_root) :])
    target = path + "index.html" if path == "" or path.endswith("/") else path
    if target not in files:
        if target + "/index.html" not in files:
            return "which the site does not have"
        target += "/index.html"
    fragment = unquote(parts.fragment)
    if fragment and target in pages and target.endswith(".html") and fragment not in pages[target].ids:
        return f"but /{target} has no element with id {fragment!r}"
    return ""

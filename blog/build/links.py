"""Check that every internal link and asset in the built site resolves.

Links are read from every page and feed; each must lead to a file in the
output, and a ``#fragment`` to an element id in the page it points to. The
links and ids of each page are kept in the cache with the page, so a rebuild
re-checks the whole site while parsing only the pages it rendered.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

from ..content.sources import display_path
from ..errors import ContentProblem
from ..paths import served_file
from ..siteconfig import SiteConfig

# An href, src, srcset or id attribute, with its value in double or single
# quotes: one pass over the page for all of them. The lookahead lets the
# search pass most spaces at once: a third less time a page (docs/benchmarks.md,
# issue 17, session 12).
_ATTRIBUTE = re.compile(r"""\s(?=[hsi])(href|src|srcset|id)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# Links that are not to a place: nothing to resolve.
_NOT_PLACES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
# A link that is a plain path from the site's root, which urljoin would only
# put after the page's scheme and host: no "//" host, no "." or ".." segment,
# no query, fragment or parameters, nothing urlsplit strips (blanks, controls).
_PLAIN_PATH = re.compile(r"(?!.*/\.)/(?!/)[^?#;\\\s\x00-\x1f\x7f]*")
CHECKED_SUFFIXES = (".html", ".xml")


@dataclass
class PageLinks:
    links: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @cached_property
    def id_set(self) -> frozenset[str]:
        return frozenset(self.ids)

    def shared(self) -> PageLinks:
        """These links and ids, each string the one object every page's equal
        string is: pages repeat the menus, the assets and their neighbours'
        addresses, and the build's main process keeps every rendered page's
        links until the link check (docs/benchmarks.md, issue 17, session 9)."""
        self.links = [sys.intern(link) for link in self.links]
        self.ids = [sys.intern(id_) for id_ in self.ids]
        return self


def extract(body: bytes) -> PageLinks:
    """The href/src values and element ids of a page or feed."""
    text = body.decode("utf-8", errors="replace")
    links, ids = set(), set()
    for match in _ATTRIBUTE.finditer(text):
        # Only an attribute inside a tag counts: in a code block, text such as
        # <a href="{{ url }}"> is escaped (&lt;a href="...": Pygments may leave
        # the quotes) and is no link. Inside a tag, the last "<" before the
        # match comes after the last ">".
        start = match.start()
        if text.rfind("<", 0, start) < text.rfind(">", 0, start):
            continue
        name, double_quoted, single_quoted = match.groups("")
        value = double_quoted or single_quoted
        if "&" in value:
            value = html.unescape(value)
        name = name.lower()
        if name == "id":
            ids.add(value)
        elif name == "srcset":
            links.update(_srcset_urls(value))
        else:
            links.add(value.strip())
    return PageLinks(sorted(links), sorted(ids))


def _srcset_urls(value: str) -> list[str]:
    """The URL of each candidate of a srcset, "a.png 480w, b.png 960w". (A URL
    with a comma in it would be cut there; the build's image copies have none.)"""
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def page_url(site: SiteConfig, relative: str) -> str:
    """The absolute URL a file is served at."""
    path = relative[: -len("index.html")] if relative.endswith("index.html") else relative
    return site.origin + site.base_path + path


def site_path(site_root: str, parts) -> str | None:
    """The output file an absolute URL of the site (split by urlsplit) names
    (a folder's URL names its index.html), or None outside ``site_root``. A
    path that is a folder without its slash is the caller's to try."""
    return site_file(site_root, f"{parts.scheme}://{parts.netloc}{parts.path}")


def site_file(site_root: str, location: str) -> str | None:
    """site_path of ``location``, an absolute URL without query or fragment."""
    if location + "/" == site_root:
        location = site_root
    if not location.startswith(site_root):
        return None
    path = unquote(location[len(site_root) :])
    return path + "index.html" if path == "" or path.endswith("/") else path


class Finding(NamedTuple):
    """A broken link: the page it is on, the link as written, and what is wrong."""

    page: str
    link: str
    reason: str


class Broken(NamedTuple):
    """A broken link of one page: as written, where it leads, and what is wrong."""

    link: str
    target: str
    reason: str


class LinkChecker:
    """Resolves links against the site's files and the ids of its pages.

    ``ids_of(file)`` gives the element ids of a page or feed of the site, or
    None for a file that is neither (an image, a stylesheet)."""

    def __init__(self, site: SiteConfig, files: set[str], ids_of: Callable[[str], frozenset[str] | None]) -> None:
        self.site = site
        self.files = files
        self.ids_of = ids_of
        self._root = site.origin + site.base_path
        # The scheme and host urljoin gives every link of a page of the site.
        root = urlsplit(self._root)
        self._origin, self._host = f"{root.scheme}://{root.netloc}", root.netloc
        self._checks_paths = root.scheme in ("http", "https")
        # Most links are the same on every page (navigation, tags, feeds) and do
        # not depend on the page they are on: each of those is resolved once.
        self._resolved: dict[str, tuple[str, str]] = {}

    def broken_in(self, relative: str, links: list[str]) -> list[Broken]:
        """The broken links among ``links``, which the page ``relative`` has."""
        base = page_url(self.site, relative)
        broken = []
        for link in links:
            if link.startswith("#"):
                target, reason = base + link, self._missing_id(link[1:], relative)
            elif link in self._resolved:
                target, reason = self._resolved[link]
            else:
                target, reason = self.resolve(base, link)
                if link.startswith(("/", "http:", "https:")):
                    self._resolved[link] = (target, reason)
            if reason:
                broken.append(Broken(link, target, reason))
        return broken

    def resolve(self, base: str, link: str) -> tuple[str, str]:
        """Where ``link``, on the page at the URL ``base``, leads, and why it is
        broken ("" if it is not). A plain path from the site's root (a post's,
        a tag's: most links) is put after the scheme and host by hand, as
        urljoin would: urljoin and urlsplit, pure Python, were three quarters
        of checking the 1,100 pages a new post renders again at 10,000 posts
        (docs/benchmarks.md, issue 17, session 24)."""
        if self._checks_paths and _PLAIN_PATH.fullmatch(link):
            target = self._origin + link
            return target, self._missing(target, "")
        target = urljoin(base, link)
        return target, self._broken(target)

    def _missing_id(self, fragment: str, target: str) -> str:
        """Why ``#fragment`` is broken on ``target``, or "" if it is fine or
        ``target`` is not a page whose ids are known. The ids are asked for
        only when there is a fragment: an incremental build loads the stored
        ids of every page at the first question."""
        fragment = unquote(fragment)
        if not fragment or not target.endswith(".html"):
            return ""
        ids = self.ids_of(target)
        if ids is not None and fragment not in ids:
            return f"but /{target} has no element with id {fragment!r}"
        return ""

    def _broken(self, absolute: str) -> str:
        """Why the resolved link ``absolute`` is broken, or "" if it is fine or not ours."""
        if absolute.lower().startswith(_NOT_PLACES):
            return ""
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc != self._host:
            return ""  # another site: not ours to check
        return self._missing(f"{parts.scheme}://{parts.netloc}{parts.path}", parts.fragment)

    def _missing(self, location: str, fragment: str) -> str:
        """Why the URL ``location`` of this site's host (without query or
        fragment), with ``#fragment``, is broken, or "" if it is not."""
        target = site_file(self._root, location)
        if target is None:
            return f"which is outside the site (it is published under {urlsplit(self._root).path})"
        served = served_file(target, self.files)
        if served is None:
            return "which the site does not have"
        return self._missing_id(fragment, served)


def find_broken_links(site: SiteConfig, pages: dict[str, PageLinks], files: set[str]) -> dict[str, list[Broken]]:
    """The broken links of every page that has any."""
    checker = LinkChecker(site, files, lambda page: pages[page].id_set if page in pages else None)
    broken = {relative: checker.broken_in(relative, page.links) for relative, page in pages.items()}
    return {relative: found for relative, found in broken.items() if found}


def first_reports(broken: dict[str, list[Broken]], sources: Container[str]) -> list[Finding]:
    """One finding per broken target, on the first page that has it. ``sources``
    holds the pages made from a Markdown file: those come first, so
    a broken link in a post, which is also in the feeds that carry the post, is
    reported in the post."""
    findings, reported = [], set()
    for relative in sorted(broken, key=lambda page: (page not in sources, page)):
        for link, target, reason in broken[relative]:
            if target not in reported:
                reported.add(target)
                findings.append(Finding(relative, link, reason))
    return findings


def describe(findings: list[Finding], sources: dict[str, Path]) -> list[ContentProblem]:
    """Each finding as a problem in the Markdown file behind the page, at the
    line that holds the link, so the author knows what to fix."""
    problems = []
    for page, link, reason in findings:
        source = sources.get(page)
        problems.append(
            ContentProblem(
                display_path(source) if source else f"output/{page}",
                _line_mentioning(source, link) if source else 0,
                f"the page /{page} links to {link!r}, {reason}",
                "fix the link, or add the file to content/",
            )
        )
    return problems


def _line_mentioning(source: Path, link: str) -> int:
    """The first line of the Markdown file that holds ``link``, or 0."""
    try:
        lines = source.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    return next((number for number, line in enumerate(lines, start=1) if link in line), 0)

"""What a publish does, and in which order, so that a reader never meets a
broken page, even while it runs or after it was interrupted.

Files are uploaded in waves; a wave starts only once every upload of the
waves before it has succeeded:

1. assets (everything that is not a page), those that other assets name
   (a font in a stylesheet) before those that name them;
2. pages and feeds: first those that link to no page new in this publish,
   then those that do (a tag page that lists a new post waits for the post);
3. ``sitemap.xml`` and the home page, which name every new page;
4. then deletions, when nothing links to the deleted files any more.

What a page names is read from its HTML with the build's link extractor
(blog/build/links.py), so an asset a page needs is uploaded before the page
whatever the asset's type. Because the next run compares the remote with
``output/`` again, an interrupted run is finished by the next one, and it
never left a page on the remote whose assets are not there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..build.links import extract, page_url, site_path
from ..paths import served_file
from ..siteconfig import SiteConfig
from .headers import Headers
from .local import LocalFile

LAST_FILES = ("index.html", "sitemap.xml")
PAGE_SUFFIXES = (".html", ".xml")
# url(...) and @import "..." in a stylesheet.
_CSS_REFERENCE = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass(frozen=True)
class RemoteFile:
    """What the remote holds at a site path; None where it is not known."""

    md5: str | None
    headers: Headers | None
    size: int = 0


@dataclass(frozen=True)
class Upload:
    file: LocalFile
    reason: str  # new, changed, headers, forced

    @property
    def relative(self) -> str:
        return self.file.relative


@dataclass
class Plan:
    waves: list[list[Upload]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Why the deletions were refused, or "".
    refused: str = ""

    @property
    def uploads(self) -> list[Upload]:
        return [upload for wave in self.waves for upload in wave]

    @property
    def upload_bytes(self) -> int:
        return sum(upload.file.size for upload in self.uploads)


def is_page(relative: str) -> bool:
    return relative.endswith(PAGE_SUFFIXES)


def _names_files(relative: str) -> bool:
    return relative.endswith((".css", ".svg", *PAGE_SUFFIXES))


def references(site: SiteConfig, relative: str, body: bytes, files: dict[str, LocalFile]) -> set[str]:
    """The site files that the file ``relative`` names (links, images,
    stylesheets, scripts; url() in a stylesheet)."""
    if relative.endswith(".css"):
        text = body.decode("utf-8", errors="replace")
        links = [first or second for first, second in _CSS_REFERENCE.findall(text)]
    elif relative.endswith((".html", ".xml", ".svg")):
        links = extract(body).links
    else:
        return set()
    base = page_url(site, relative)
    root = site.origin + site.base_path
    found = set()
    for link in links:
        target = site_path(root, urlsplit(urljoin(base, link)))
        served = None if target is None else served_file(target, files)
        if served is not None and served != relative:
            found.add(served)
    return found


def make_plan(
    site: SiteConfig,
    local: dict[str, LocalFile],
    remote: dict[str, RemoteFile],
    *,
    force: bool = False,
    max_deletes: int = 256,
    read: Callable[[LocalFile], bytes] = lambda file: file.path.read_bytes(),
) -> Plan:
    plan = Plan()
    pending: dict[str, Upload] = {}
    for relative, file in local.items():
        reason = _reason(file, remote.get(relative), force)
        if reason:
            pending[relative] = Upload(file, reason)
        else:
            plan.unchanged += 1
    plan.waves = _waves(site, pending, local, remote, read)
    gone = sorted(remote.keys() - local.keys())
    if len(gone) > max_deletes:
        plan.refused = (
            f"{len(gone)} remote files are not in the output folder, more than --max-deletes {max_deletes}:"
            " deleted none (check that --output is the site you mean to publish, or raise --max-deletes)"
        )
    else:
        plan.deletes = gone
    return plan


def _reason(file: LocalFile, remote: RemoteFile | None, force: bool) -> str:
    if remote is None:
        return "new"
    if force:
        return "forced"
    if remote.md5 != file.md5:
        return "changed"
    if remote.headers != file.headers:
        return "headers"
    return ""


def _waves(
    site: SiteConfig,
    pending: dict[str, Upload],
    local: dict[str, LocalFile],
    remote: dict[str, RemoteFile],
    read: Callable[[LocalFile], bytes],
) -> list[list[Upload]]:
    names = {
        relative: references(site, relative, read(upload.file), local) & pending.keys()
        if _names_files(relative)
        else set()
        for relative, upload in pending.items()
    }
    # The last wave's files are not waited for: they come after every page anyway.
    new_pages = {r for r in pending if is_page(r) and r not in remote and r not in LAST_FILES}
    depth: dict[str, int] = {}

    def asset_depth(relative: str, seen: frozenset[str]) -> int:
        """1 + the deepest pending asset this asset names; a cycle counts once."""
        if relative not in depth:
            named = [other for other in names[relative] if not is_page(other) and other not in seen]
            depth[relative] = 1 + max((asset_depth(other, seen | {other}) for other in named), default=-1)
        return depth[relative]

    keyed: dict[tuple[int, int], list[Upload]] = {}
    for relative, upload in sorted(pending.items()):
        if relative in LAST_FILES:
            key = (2, 0)
        elif is_page(relative):
            key = (1, 1 if names[relative] & new_pages - {relative} else 0)
        else:
            key = (0, asset_depth(relative, frozenset({relative})))
        keyed.setdefault(key, []).append(upload)
    return [keyed[key] for key in sorted(keyed)]

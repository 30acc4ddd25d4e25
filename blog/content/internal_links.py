"""Links between sources, kept in stored HTML as markers and resolved when a
page shows the HTML.

A link to another Markdown source is stored as ``href="blog-source:<path in
content/>[#fragment]"`` (``source_link``), never as the target's URL: the
target's URL is a field of its row, which may change without the linking file
changing. ``shown`` resolves the markers while a page renders, through a site
index lookup and the target's row, both recorded (docs/incremental.md); so a
page that shows a body renders again when a target's URL changes, and no
stored body holds a stale URL.

The same render-time pass fixes two kinds of link that depend on where the
HTML is shown or on the site's ``base_url``:

- a page bundle's relative links (``shot.png`` in ``posts/x/index.md``) lead
  to the bundle's files beside the post's URL, also in a summary on
  ``/page/7/`` or in a feed;
- a root-relative link (``/images/shot.png``) under a ``base_url`` with a
  sub-path gets the sub-path when the site has the target; otherwise it stays
  as written, and the link check warns about it.

At sync time, ``InternalLinksExtension`` turns Zola's ``@/path/file.md`` and
relative or root-relative links to ``.md`` files into markers, outside code;
``needs_rewrite`` decides once per row whether any of this applies.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..errors import ContentError, ContentProblem

MARKER = "blog-source:"
# Zola's prefix for a link to a file of its content folder.
ZOLA_PREFIX = "@/"
MARKDOWN_SUFFIXES = (".md", ".markdown")
# Where a Zola or Hugo site's content/ goes in ours: its @/ links name files there.
POSTS_FOLDER = "posts/"
# The file names that make a folder a page bundle (Hugo's leaf bundle, Zola's
# asset co-location).
BUNDLE_NAMES = ("index.md", "index.markdown")
# The name Zola and Hugo give a section's own page: not a post of ours.
SECTION_NAME = "_index.md"

# An href or src attribute as Python-Markdown writes them (double quotes), or
# as an author wrote raw HTML.
_LINK_ATTRIBUTE = re.compile(r"""(\s(href|src|srcset)=)(["'])(.*?)\3""", re.IGNORECASE | re.DOTALL)
# What makes a row need the render-time pass at all.
_ROOT_RELATIVE_OR_MARKER = re.compile(r"""\s(?:href|src|srcset)=["'](?:blog-source:|/(?!/))""", re.IGNORECASE)
_RELATIVE = re.compile(r"""\s(?:href|src|srcset)=["'](?![a-z][a-z0-9+.-]*:|/|#|["'])""", re.IGNORECASE)


def source_link(path: str, fragment: str = "") -> str:
    """The href that links to the source ``path`` (relative to content/, posix)."""
    return f"{MARKER}{path}#{fragment}" if fragment else f"{MARKER}{path}"


def is_bundle(source: str) -> bool:
    """Whether the source is a page bundle's own file: its folder's other files are its own."""
    return posixpath.basename(source) in BUNDLE_NAMES


def needs_rewrite(source: str, *fragments: str) -> bool:
    """Whether any of ``fragments`` (a body, a summary) has a link ``shown`` changes."""
    bundle = is_bundle(source)
    return any(
        _ROOT_RELATIVE_OR_MARKER.search(fragment) or (bundle and _RELATIVE.search(fragment)) for fragment in fragments
    )


# --- sync time: Markdown links to .md files become markers ------------------------


@dataclass
class LinkTarget:
    """A link to another source, as written, with the files it may mean
    (the first that exists wins) and the marker written for the first."""

    written: str
    candidates: list[str]
    fragment: str
    line: int = 0

    @property
    def marker(self) -> str:
        return source_link(self.candidates[0], self.fragment)


@dataclass
class FoundLinks:
    """What the treeprocessor found in one document."""

    source: str = ""
    targets: list[LinkTarget] = field(default_factory=list)
    # (the link as written, what is wrong with it)
    errors: list[tuple[str, ContentError]] = field(default_factory=list)


def link_candidates(source: str, href: str) -> tuple[list[str], str] | None:
    """The sources ``href``, written in ``source``, may link to, and its
    fragment; None when it is not a link to a Markdown source. Raises
    ContentError for one that leaves the content folder."""
    parts = urlsplit(href)
    if href.startswith(ZOLA_PREFIX):
        path = unquote(href[len(ZOLA_PREFIX) :].split("#", 1)[0])
        fragment = href.split("#", 1)[1] if "#" in href else ""
        return _normalised([POSTS_FOLDER + path, path], href), fragment
    if parts.scheme or parts.netloc or parts.query or not parts.path.endswith(MARKDOWN_SUFFIXES):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        # From the root of the content folder, or of the Zola or Hugo
        # content folder copied into posts/.
        candidates = [path.lstrip("/"), POSTS_FOLDER + path.lstrip("/")]
    else:
        candidates = [posixpath.join(posixpath.dirname(source), path)]
    return _normalised(candidates, href), parts.fragment


def _normalised(candidates: list[str], href: str) -> list[str]:
    found = []
    for candidate in candidates:
        normal = posixpath.normpath(candidate)
        if normal.startswith("../") or normal == "..":
            raise ContentError(
                f"the link {href!r} leads outside the content folder", hint="link to a file inside content/"
            )
        found.append(normal)
    return found


class _InternalLinks(Treeprocessor):
    """Rewrites, in the finished tree, every link to a Markdown source into a
    marker. Code spans and blocks hold no elements at this point (their text
    is stashed), so they are never rewritten."""

    def __init__(self, md: Markdown, extension: InternalLinksExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: Element) -> None:
        found = self.extension.found
        for element in root.iter():
            for attribute in ("href", "src"):
                href = element.get(attribute)
                if href and not href.startswith("#"):
                    self._rewrite(found, element, attribute, href)

    @staticmethod
    def _rewrite(found: FoundLinks, element: Element, attribute: str, href: str) -> None:
        if href.split("#", 1)[0] == ZOLA_PREFIX + SECTION_NAME:
            element.set(attribute, "/")  # the site's root section: the home page
            return
        try:
            resolved = link_candidates(found.source, href)
        except ContentError as error:
            found.errors.append((href, error))
            return
        if resolved is None:
            return
        candidates, fragment = resolved
        target = LinkTarget(href, candidates, fragment)
        found.targets.append(target)
        element.set(attribute, target.marker)


class InternalLinksExtension(Extension):
    """The Markdown extension. ``start`` before each document gives what the
    document's conversion finds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.found = FoundLinks()

    def start(self, source: str) -> FoundLinks:
        self.found = FoundLinks(source)
        return self.found

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After "inline" (20), which makes the links; before "prettify" (10).
        md.treeprocessors.register(_InternalLinks(md, self), "internal_links", 15)


def line_of(body: str, body_line: int, written: str) -> int:
    """The line of the file that holds ``written``, counting from the body's first line."""
    for number, line in enumerate(body.splitlines()):
        if written in line:
            return body_line + number
    return body_line


def choose_targets(
    display: str, targets: list[LinkTarget], sources: set[str], html: list[str]
) -> tuple[list[list], list[ContentProblem]]:
    """Each target's source: the first of its candidates that exists. Markers
    written for another candidate are corrected in ``html`` (in place). Returns
    the ``[source, line]`` pairs to store, and a problem for each target that
    does not exist."""
    chosen, problems = [], []
    for target in targets:
        found = next((candidate for candidate in target.candidates if candidate in sources), None)
        if found is None:
            problems.append(
                ContentProblem(
                    display,
                    target.line,
                    f"the link {target.written!r} leads to {target.candidates[0]}, which does not exist",
                    "fix the path: it is relative to this file, or with @/ to content/posts/",
                )
            )
            continue
        if found != target.candidates[0]:
            fixed = source_link(found, target.fragment)
            html[:] = [text.replace(f'"{target.marker}"', f'"{fixed}"') for text in html]
        chosen.append([found, target.line])
    return chosen, problems


# --- render time: markers, bundle files and the base path --------------------------


class MissingTarget(Exception):
    """A marker whose target no page shows; carries the problem to report."""

    def __init__(self, problem: ContentProblem) -> None:
        super().__init__(str(problem))
        self.content_problem = problem


def shown(html: str, document) -> str:
    """``html`` of ``document`` (a post or page) as a page shows it: markers
    resolved to their targets' URLs, a bundle's relative links to its files,
    root-relative links to the site's sub-path when the site has the target."""
    # Imported here: the site index imports the models, which import this module.
    from ..site_index import site_index
    from ..siteconfig import url_prefix

    index = site_index()
    prefix = url_prefix()
    bundle = is_bundle(document.source)
    own_url = document.get_absolute_url() if bundle else ""

    def resolved(value: str) -> str:
        if value.startswith(MARKER):
            return _target_url(index, document, value[len(MARKER) :])
        if value.startswith("/") and not value.startswith("//"):
            return _under_prefix(index, prefix, value)
        if bundle and not _has_scheme(value) and not value.startswith("#"):
            return urljoin(own_url, value)
        return value

    def resolve(match: re.Match) -> str:
        value = _unescaped(match.group(4))
        if match.group(2).lower() == "srcset":
            # Each candidate of a srcset (the resized copies of an image) is a URL too.
            candidates = (candidate.strip().partition(" ") for candidate in value.split(","))
            url = ", ".join(f"{resolved(url)}{space}{size}" for url, space, size in candidates)
        else:
            url = resolved(value)
        if url == value:
            return match.group(0)
        return f"{match.group(1)}{match.group(3)}{_escape(url)}{match.group(3)}"

    return _LINK_ATTRIBUTE.sub(resolve, html)


def _target_url(index, document, target: str) -> str:
    path, _, fragment = target.partition("#")
    found = index.document_from(path)
    if found is None:
        line = next((line for source, line in document.link_targets if source == path), 0)
        raise MissingTarget(
            ContentProblem(
                document.source,
                line,
                f"links to {path}, which is not published (it does not exist, is a draft or is dated in the future)",
                "fix the link, or publish the post it leads to",
            )
        )
    url = found.get_absolute_url()
    return f"{url}#{fragment}" if fragment else url


def _under_prefix(index, prefix: str, value: str) -> str:
    """``value`` (root-relative) under the site's sub-path, if the site has it."""
    if prefix == "/":
        return value
    parts = urlsplit(value)
    if not index.has_url_path(unquote(parts.path)):
        return value
    return prefix + value[1:]


def _has_scheme(value: str) -> bool:
    return bool(urlsplit(value).scheme) or value.startswith("//")


def _unescaped(value: str) -> str:
    """An attribute's value as Python-Markdown escapes it, read back."""
    return value.replace("&amp;", "&")


def _escape(url: str) -> str:
    """A URL as the value of a double-quoted attribute."""
    return url.replace("&", "&amp;").replace('"', "&quot;")

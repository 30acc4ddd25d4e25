"""The images of a rendered document: each local ``<img>`` gets its size, lazy
loading (all but the first), and, when smaller copies exist, a ``<picture>``
with a WebP source, both with ``srcset`` and ``sizes``.

What the document read is kept: which image files (with their size and
modification time, so the sync knows when one changed) and which copies the
site must serve. The sync stores both with the document.
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..errors import ContentProblem
from .images import UNTOUCHED_SUFFIXES, ImageOptions, ImageProblem, LocalImage, Variant, load_image

# The widest copy used as the Open Graph image: social sites show cards about
# 1200 pixels wide, and refuse files of many megabytes.
OG_MAX_WIDTH = 1600


@dataclass
class ImageUse:
    """A problem with an image a document uses, before it is given a line."""

    reference: str  # as the author wrote it
    message: str
    hint: str
    # The front matter's image is not shown on the page: a problem with it is
    # a warning, as a broken link is.
    warning: bool = False


@dataclass
class DocumentImages:
    """Reads and rewrites the images of one document."""

    content_dir: Path
    # The document's URL path, e.g. /2024/05/slug/: relative sources resolve against it.
    page_dir: str
    options: ImageOptions
    # The path the site is published under (base_url's): /blog/images/x.png
    # names content/images/x.png.
    base_path: str = "/"
    # A page bundle (folder/index.md) publishes its folder's files beside its
    # URL: the bundle's folder in content/ and the URL path it is published
    # at (both without slashes at the ends), or empty for other documents.
    bundle_dir: str = ""
    bundle_url: str = ""
    # Image files read -> [size, mtime_ns] as they were read.
    read: dict[str, list[int]] = field(default_factory=dict)
    # Copies the site serves -> their file in the image cache.
    copies: dict[str, str] = field(default_factory=dict)
    problems: list[ImageUse] = field(default_factory=list)
    # The first local image the body shows, for the Open Graph card.
    first: LocalImage | None = None
    _loaded: dict[str, LocalImage | None] = field(default_factory=dict)

    def local_path(self, src: str) -> str | None:
        """The file in content/ that ``src`` names, or None for another site's image."""
        parts = urlsplit(src.strip())
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = posixpath.normpath(posixpath.join(self.page_dir, unquote(parts.path)))
        if path.startswith(self.base_path) and self.base_path != "/":
            under_base = path[len(self.base_path) :]
            # A root-relative path written without the base path is read as
            # it is written, if that is where the file is.
            if (self.content_dir / under_base).is_file() or not (self.content_dir / path.lstrip("/")).is_file():
                return self._source_of(under_base)
        return self._source_of(path.lstrip("/"))

    def _source_of(self, published: str) -> str:
        """The file in content/ published at ``published``: a bundle's files are
        published beside its URL."""
        if self.bundle_url and published.startswith(self.bundle_url + "/"):
            return self.bundle_dir + published[len(self.bundle_url) :]
        return published

    def _published(self, relative: str) -> str:
        """Where the file ``relative`` (in content/) is published: the inverse of ``_source_of``."""
        if self.bundle_dir and relative.startswith(self.bundle_dir + "/"):
            return self.bundle_url + relative[len(self.bundle_dir) :]
        return relative

    def image(self, relative: str, reference: str, warning: bool = False) -> LocalImage | None:
        """The image at ``relative``, measured, or None (and a problem) if it cannot be used."""
        if relative in self._loaded:
            return self._loaded[relative]
        image = None
        try:
            image = load_image(self.content_dir, relative, self.options)
        except ImageProblem as problem:
            self.problems.append(ImageUse(reference, problem.message, problem.hint, warning))
        self._note_read(relative)
        if image is not None:
            folder = posixpath.dirname(self._published(relative))
            for variant in (image.own or []) + (image.webp or []):
                if variant.cached:
                    self.copies[posixpath.join(folder, variant.name)] = variant.cached
        self._loaded[relative] = image
        return image

    def _note_read(self, relative: str) -> None:
        try:
            stat = (self.content_dir / relative).stat()
            self.read[relative] = [stat.st_size, stat.st_mtime_ns]
        except OSError:
            self.read[relative] = [-1, -1]

    def rewrite(self, fragment: str, eager_first: bool) -> str:
        """``fragment`` with its images rewritten; the first one loads eagerly if ``eager_first``."""
        if "<img" not in fragment:
            return fragment
        finder = _ImageTags()
        finder.feed(fragment)
        finder.close()
        if not finder.tags:
            return fragment
        line_starts = [0]
        line_starts += [i + 1 for i, char in enumerate(fragment) if char == "\n"]
        out, last = [], 0
        for number, tag in enumerate(finder.tags):
            start = line_starts[tag.line - 1] + tag.column
            out.append(fragment[last:start])
            out.append(self._tag(tag, eager=eager_first and number == 0))
            last = start + len(tag.text)
        out.append(fragment[last:])
        return "".join(out)

    def _tag(self, tag: _Tag, eager: bool) -> str:
        attrs = dict(tag.attrs)
        src = attrs.get("src") or ""
        relative = self.local_path(src) if src else None
        image = self.image(relative, src) if relative else None
        if relative and relative.lower().endswith(UNTOUCHED_SUFFIXES):
            return tag.text
        if image is not None and image.measured:
            if self.first is None:
                self.first = image
            _add_size(attrs, image)
        if not eager:
            attrs.setdefault("loading", "lazy")
            attrs.setdefault("decoding", "async")
        if image is None or not image.own or "srcset" in attrs or tag.in_picture:
            return _img(attrs)
        sizes = attrs.get("sizes") or self.options.sizes
        base = src.split("?", 1)[0].split("#", 1)[0]
        folder = base.rsplit("/", 1)[0] + "/" if "/" in base else ""
        if len(image.own) > 1:
            attrs["srcset"] = _srcset(image.own, folder, src)
            attrs["sizes"] = sizes
        if image.webp is image.own:
            return _img(attrs)
        srcset = html.escape(_srcset(image.webp, folder, src))
        source = f'<source type="image/webp" srcset="{srcset}" sizes="{html.escape(sizes)}">'
        return f"<picture>{source}{_img(attrs)}</picture>"

    def open_graph(self, front_matter_image: str) -> tuple[str, int, int]:
        """The Open Graph image and its size (0 when unknown): the front
        matter's image, else the first image of the body; for a local image, its
        widest copy of at most OG_MAX_WIDTH pixels. Call after ``rewrite``."""
        image = None
        if front_matter_image and not urlsplit(front_matter_image).scheme:
            image = self.image(front_matter_image.lstrip("/"), front_matter_image, warning=True)
        elif not front_matter_image:
            image = self.first
        if image is None or not image.measured:
            return front_matter_image, 0, 0
        if not image.own:
            return self._published(image.relative), image.width, image.height
        chosen = ([v for v in image.own if v.width <= OG_MAX_WIDTH] or image.own[:1])[-1]
        published = self._published(image.relative)
        relative = posixpath.join(posixpath.dirname(published), chosen.name) if chosen.name else published
        return relative, chosen.width, chosen.height

    def located_problems(
        self, source: bytes, display: str, body_line: int
    ) -> tuple[list[ContentProblem], list[ContentProblem]]:
        """The errors and the warnings, each at the first line of the source
        file ``source`` that names its image (else where the body starts)."""
        text = source.decode("utf-8", errors="replace")
        errors, warnings = [], []
        for use in self.problems:
            at = text.find(use.reference)
            line = text.count("\n", 0, at) + 1 if at >= 0 else body_line
            problem = ContentProblem(display, line, f"image {use.reference}: {use.message}", use.hint)
            (warnings if use.warning else errors).append(problem)
        return errors, warnings


def _add_size(attrs: dict[str, str | None], image: LocalImage) -> None:
    """Width and height, so the page keeps the image's place before it loads.
    An author's width or height is kept, and the other one follows it."""
    width, height = _number(attrs.get("width")), _number(attrs.get("height"))
    if (width is None and "width" in attrs) or (height is None and "height" in attrs):
        return  # a size that is not a number of pixels: the author's to keep
    if width is None and height is None:
        attrs["width"], attrs["height"] = str(image.width), str(image.height)
    elif height is None and width:
        attrs["height"] = str(round(width * image.height / image.width))
    elif width is None and height:
        attrs["width"] = str(round(height * image.width / image.height))


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _srcset(variants: list[Variant], folder: str, src: str) -> str:
    return ", ".join(f"{folder + quote(v.name) if v.name else src} {v.width}w" for v in variants)


def _img(attrs: dict[str, str | None]) -> str:
    parts = ["<img"]
    for name, value in attrs.items():
        parts.append(f" {name}" if value is None else f' {name}="{html.escape(value)}"')
    return "".join(parts) + ">"


@dataclass
class _Tag:
    text: str  # as written
    line: int
    column: int
    attrs: list[tuple[str, str | None]]
    in_picture: bool


class _ImageTags(HTMLParser):
    """Finds every <img> tag, where it is, and whether an author's <picture> holds it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[_Tag] = []
        self._pictures = 0

    def handle_starttag(self, tag, attrs):
        if tag == "picture":
            self._pictures += 1
        elif tag == "img":
            line, column = self.getpos()
            self.tags.append(_Tag(self.get_starttag_text() or "", line, column, attrs, self._pictures > 0))

    def handle_startendtag(self, tag, attrs):
        if tag == "img":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "picture" and self._pictures:
            self._pictures -= 1

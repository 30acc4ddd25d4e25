"""Read one Markdown source file into a validated ``SourceDocument``.

A reader has one contract: ``read_document(path, ...) -> SourceDocument``. It
knows nothing of Django, requests or templates; every problem it finds is
collected so the author sees them all in one run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..errors import ContentError, ContentProblem
from . import permalinks
from .dates import parse_date
from .frontmatter import FrontMatter, split_front_matter

POST = "post"
PAGE = "page"
# A Zola or Hugo section (``_index.md``) or a file whose front matter names
# only a template: read, never published, never an error.
SKIPPED = "skipped"
SECTION_FILE = "_index.md"
TEMPLATE_KEYS = frozenset({"template", "page_template"})

_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
# Characters that would change what a URL means if they were in a slug.
_URL_SPECIAL = set('/\\?#%"<>')

# Other generators' names for our keys, so their posts build unchanged.
_UPDATED_KEYS = ("updated", "lastmod", "modified", "last_modified_at")
_SUMMARY_KEYS = ("summary", "excerpt")
_ALIAS_KEYS = ("aliases", "redirect_from")
_KNOWN_KEYS = {
    "title",
    "date",
    "slug",
    "tags",
    "categories",
    "category",
    "draft",
    "published",
    "status",
    "comments",
    "disqus_identifier",
    "description",
    "image",
    "taxonomies",
    "series",
    *_UPDATED_KEYS,
    *_SUMMARY_KEYS,
    *_ALIAS_KEYS,
    *permalinks.URL_KEYS,
}


@dataclass
class SourceDocument:
    kind: str
    source_path: str
    title: str
    slug: str
    body: str
    body_line: int
    # The URL path from the site's root, ending in "/".
    path: str = ""
    date: dt.datetime | None = None
    updated: dt.datetime | None = None
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    draft: bool = False
    comments: bool = True
    disqus_identifier: str = ""
    aliases: list[str] = field(default_factory=list)
    # Whether its author set its URL (path, url, permalink): a Jekyll
    # permalink style then gives it no old address.
    author_path: bool = False
    # Jekyll's categories, as written: its URLs may name them.
    categories: list[str] = field(default_factory=list)
    description: str = ""
    image: str = ""
    # The name of the series the post is a part of, or "".
    series: str = ""
    # Every other front-matter key, JSON-ready, for templates to use.
    extra: dict = field(default_factory=dict)
    warnings: list[ContentProblem] = field(default_factory=list)


class _Problems:
    """Collects the problems of one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[ContentProblem] = []
        self.warnings: list[ContentProblem] = []

    def error(self, message: str, line: int, hint: str = "") -> None:
        self.errors.append(ContentProblem(self.path, line, message, hint))

    def warn(self, message: str, line: int, hint: str = "") -> None:
        self.warnings.append(ContentProblem(self.path, line, message, hint))


def decode_source(data: bytes) -> str:
    """UTF-8 text without a BOM, or a ContentError giving the byte offset."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded",
            line=line,
            hint="save the file as UTF-8 in your editor",
        ) from None
    return text.removeprefix("\ufeff")


def read_document(
    data: bytes, display_path: str, file_name: str, kind: str, zone: ZoneInfo
) -> tuple[SourceDocument | None, list[ContentProblem], list[ContentProblem]]:
    """Return ``(document, errors, warnings)``; document is None on any error."""
    problems = _Problems(display_path)
    if Path(file_name).name == SECTION_FILE:
        return _skipped(file_name), [], []
    try:
        text = decode_source(data)
        if not text.strip():
            raise ContentError("the file is empty", line=1, hint="add front matter with a title, then the text")
        front = split_front_matter(text)
    except ContentError as exc:
        return None, [exc.at(display_path)], []
    if front.meta.keys() & TEMPLATE_KEYS and "title" not in front.meta and "date" not in front.meta:
        return _skipped(file_name), [], []
    document = _build(front, file_name, kind, zone, problems)
    if problems.errors:
        return None, problems.errors, problems.warnings
    document.warnings = problems.warnings
    return document, [], problems.warnings


def _skipped(file_name: str) -> SourceDocument:
    """A section or theme file: kept in the cache so it is not read again, never published."""
    return SourceDocument(kind=SKIPPED, source_path="", title="", slug="", body="", body_line=1)


def _build(front: FrontMatter, file_name: str, kind: str, zone: ZoneInfo, problems: _Problems) -> SourceDocument:
    meta = front.meta
    stem, name_date = _stem_and_date(file_name)

    title = meta.get("title")
    if title is None:
        problems.error("missing title", 1, hint="add a title to the front matter, e.g. title: My post")
        title = ""
    elif not isinstance(title, str) or not title.strip():
        problems.error(
            f"title must be text, not {_describe(title)}",
            front.line_of("title"),
            hint='quote it: title: "…"',
        )
        title = ""

    own_path, old_address = _author_path(meta, front, problems) if kind == POST else (None, "")
    date = _date(meta, "date", front, zone, problems)
    if date is None and name_date is not None:
        date, _ = parse_date(name_date, zone)
    if date is None and own_path and "date" not in meta and (in_path := permalinks.date_in_path(own_path)):
        date, _ = parse_date(in_path, zone)
    if date is None and kind == POST and "date" not in meta:
        problems.error(
            "missing date",
            1,
            hint="add date: YYYY-MM-DD to the front matter, start the file name with YYYY-MM-DD-, "
            "or give a path that starts with YYYY/MM/DD/",
        )
    updated = None
    for key in _UPDATED_KEYS:
        if key in meta:
            updated = _date(meta, key, front, zone, problems)
            break

    slug = meta.get("slug", stem)
    slug = _check_slug(slug, front.line_of("slug") if "slug" in meta else 1, problems)
    if own_path:
        path = own_path
    elif kind == POST and date is not None:
        local = date.astimezone(zone)
        path = f"{local.year:04d}/{local.month:02d}/{slug}/"
    else:
        path = f"{slug}/"
    # Zola writes only TOML, and has no ``url``; Hugo's relative aliases are from the page.
    aliases_from_root = front.kind == "TOML" and "url" not in meta
    aliases = _aliases(meta, front, problems, path, aliases_from_root)
    if old_address and old_address not in aliases:
        aliases.append(old_address)

    document = SourceDocument(
        kind=kind,
        source_path="",
        title=title.strip(),
        slug=slug,
        body=front.body,
        body_line=front.body_line,
        path=path,
        date=date,
        updated=updated,
        tags=_tags(meta, front, problems),
        summary=_text(meta, _SUMMARY_KEYS, front, problems),
        draft=_draft(meta, front, problems),
        comments=_flag(meta, "comments", True, front, problems),
        aliases=aliases,
        author_path=bool(own_path),
        categories=_jekyll_categories(meta),
        description=_text(meta, ("description",), front, problems),
        image=_image(meta, front, problems),
        series=_series(meta, front, problems),
        extra={
            k: _jsonable(v) for k, v in meta.items() if k not in _KNOWN_KEYS or (k == "series" and isinstance(v, dict))
        },
    )
    identifier = meta.get("disqus_identifier", slug)
    if not isinstance(identifier, (str, int)) or isinstance(identifier, bool):
        problems.error(
            f"disqus_identifier must be text, not {_describe(identifier)}", front.line_of("disqus_identifier")
        )
        identifier = slug
    document.disqus_identifier = str(identifier)
    return document


def _stem_and_date(file_name: str) -> tuple[str, str | None]:
    path = Path(file_name)
    stem = path.parent.name if path.stem in ("index", "_index") and path.parent.name else path.stem
    match = _DATE_PREFIX.match(stem)
    if match:
        return match.group(2), match.group(1)
    return stem, None


def _date(meta, key, front, zone, problems) -> dt.datetime | None:
    if key not in meta:
        return None
    try:
        value, warning = parse_date(meta[key], zone)
    except ContentError as exc:
        problems.error(f"{key}: {exc.message}", front.line_of(key), exc.hint)
        return None
    if warning:
        problems.warn(
            f"{key}: {warning}", front.line_of(key), hint="write the date with a UTC offset to choose another reading"
        )
    return value


def _check_slug(slug, line: int, problems: _Problems) -> str:
    if isinstance(slug, int) and not isinstance(slug, bool):
        slug = str(slug)
    if not isinstance(slug, str):
        problems.error(f"slug must be text, not {_describe(slug)}", line)
        return ""
    slug = unicodedata.normalize("NFC", slug.strip())
    hint = "use letters, digits and dashes, e.g. slug: my-post"
    if not slug:
        problems.error("the slug is empty", line, hint)
    elif ".." in slug or any(c in _URL_SPECIAL for c in slug):
        problems.error(f"slug {slug!r} contains '/', '..' or a character with a meaning in URLs", line, hint)
    elif any(unicodedata.category(c).startswith("C") for c in slug):
        problems.error(f"slug {slug!r} contains a control character", line, hint)
    elif slug.startswith("."):
        problems.error(f"slug {slug!r} starts with a dot, which makes a hidden folder", line, hint)
    return slug


def _jekyll_categories(meta) -> list[str]:
    """``categories`` (or ``category``) as Jekyll reads them for a URL: a list,
    or a string of names separated by spaces. Problems are _tags' to report."""
    value = meta.get("categories", meta.get("category"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, (str, int, float)) and not isinstance(item, bool)]
    return []


def _tags(meta, front, problems) -> list[str]:
    found: list[str] = []
    sources = [(key, meta[key]) for key in ("tags", "categories", "category") if key in meta]
    taxonomies = meta.get("taxonomies")
    if isinstance(taxonomies, dict):  # Zola keeps tags under [taxonomies]
        sources += [(f"taxonomies.{k}", taxonomies[k]) for k in ("tags", "categories") if k in taxonomies]
    for key, value in sources:
        line = front.line_of(key)
        if value is None:
            continue
        if isinstance(value, str) and key in ("categories", "category") and "," not in value:
            # Jekyll separates categories with spaces: "categories: ruby scripting".
            items = value.split()
        elif isinstance(value, str):
            items = value.split(",")
        elif isinstance(value, list):
            items = value
        else:
            problems.error(
                f"{key} must be a list or a comma-separated string, not {_describe(value)}",
                line,
                hint="write tags: [python, django] or tags: python, django",
            )
            continue
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                problems.error(
                    f"{key} holds {_describe(item)}; each tag must be text", line, hint="write tags: [python, django]"
                )
                continue
            tag = unicodedata.normalize("NFC", str(item).strip())
            if tag and tag not in found:
                found.append(tag)
    return found


def _series(meta, front, problems) -> str:
    """``series: "Name"``, or Hugo's taxonomy (``[taxonomies] series = ["Name"]``,
    or a list under ``series``) with one name. A table with a ``name`` (some
    Jekyll themes write ``series: {name: …, part: 2}``) names the series too,
    and stays in ``extra`` for the templates written for it."""
    key, value = "series", meta.get("series")
    taxonomies = meta.get("taxonomies")
    if value is None and isinstance(taxonomies, dict) and "series" in taxonomies:
        key, value = "taxonomies.series", taxonomies["series"]
    if isinstance(value, list) and len(value) <= 1:
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.error(
            f"series must be the name of one series, not {_describe(value)}",
            front.line_of(key),
            hint='write series: "My series" (a post is part of one series)',
        )
        return ""
    return unicodedata.normalize("NFC", str(value).strip())


def _text(meta, keys, front, problems) -> str:
    for key in keys:
        if key in meta and meta[key] is not None:
            value = meta[key]
            if not isinstance(value, str):
                problems.error(f"{key} must be text, not {_describe(value)}", front.line_of(key), hint='quote it: "…"')
                return ""
            return value.strip()
    return ""


def _flag(meta, key, default, front, problems) -> bool:
    value = meta.get(key, default)
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "false", "no", "off"):
        return value.lower() in ("true", "yes", "on")
    if not isinstance(value, bool):
        problems.error(f"{key} must be true or false, not {_describe(value)}", front.line_of(key))
        return default
    return value


def _draft(meta, front, problems) -> bool:
    if "draft" in meta:
        return _flag(meta, "draft", False, front, problems)
    if "published" in meta:  # Jekyll: published: false
        return not _flag(meta, "published", True, front, problems)
    status = meta.get("status")  # Pelican: Status: draft
    return isinstance(status, str) and status.strip().lower() in ("draft", "hidden")


def _author_path(meta, front, problems) -> tuple[str | None, str]:
    """The URL path the author gave (Zola's path, Hugo's url, Jekyll's
    permalink), and an old .html address it implies, or (None, "")."""
    for key in permalinks.URL_KEYS:
        if key in meta and meta[key] not in (None, ""):
            try:
                found = permalinks.author_path(key, meta[key])
            except ContentError as exc:
                problems.error(exc.message, front.line_of(key), exc.hint)
                return None, ""
            if found is not None:
                return found
    return None, ""


def _aliases(meta, front, problems, path: str, from_root: bool) -> list[str]:
    for key in _ALIAS_KEYS:
        if key not in meta:
            continue
        value = meta[key]
        items = [value] if isinstance(value, str) else value
        line = front.line_of(key)
        if not isinstance(items, list):
            problems.error(f"{key} must be a list of paths, not {_describe(value)}", line)
            return []
        aliases = []
        for item in items:
            if not isinstance(item, str):
                problems.error(
                    f"alias {item!r} is not a site-relative path",
                    line,
                    hint="write it as a path from the site root, e.g. /2015/old-name/",
                )
                continue
            try:
                aliases.append(permalinks.alias_path(item, path, from_root))
            except ContentError as exc:
                problems.error(exc.message, line, exc.hint)
        return aliases
    return []


def _image(meta, front, problems) -> str:
    value = meta.get("image")
    if value is None or value == "":
        return ""
    line = front.line_of("image")
    if not isinstance(value, str):
        problems.error(f"image must be a path or URL, not {_describe(value)}", line)
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return value.strip()
    if (
        parts.scheme
        or parts.netloc
        or value.strip().startswith("//")
        or any(unicodedata.category(c).startswith("C") for c in value)
    ):
        problems.error(
            f"image {value!r} is not a relative path or an http(s) URL",
            line,
            hint="use a path inside content/, e.g. images/cover.png, or an https:// URL",
        )
        return ""
    return value.strip()


def _describe(value) -> str:
    return f"{type(value).__name__} {value!r}" if value is not None else "empty"


def _jsonable(value):
    """Front matter as JSON: dates become ISO strings."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))

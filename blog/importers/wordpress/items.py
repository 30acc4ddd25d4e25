"""What each item becomes: its kind, status, dates, slug, tags and old URL.

Pure rules over ``reader.Item``; nothing here reads or writes files.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from .reader import Item

POST = "post"
PAGE = "page"
IMPORTED_TYPES = {"post": POST, "page": PAGE}
# What "no date" looks like in an export (a draft's post_date_gmt).
NO_DATE = "0000-00-00 00:00:00"
# Characters our slugs cannot hold (blog/content/reader.py).
_SLUG_FORBIDDEN = set('/\\?#%"<>')
UNCATEGORIZED = "uncategorized"


class Skipped(Exception):
    """The item is not imported; the message says why."""


@dataclass
class Plan:
    """What one imported item becomes."""

    item_id: str
    kind: str  # POST or PAGE
    status: str  # as exported
    title: str
    slug: str
    wanted_slug: str
    date: dt.datetime
    updated: dt.datetime | None
    draft: bool
    tags: list[str]
    guid: str
    old_path: str
    old_link: str = ""  # the permalink as exported
    # The reason a post became a draft, for the report (private, password).
    draft_reason: str = ""
    aliases: list[str] = field(default_factory=list)
    url: str = ""  # the new URL path, under the site's base path
    file: str = ""  # relative to content/

    @property
    def disqus_identifier(self) -> str:
        # The WordPress Disqus plugin's identifier: the ID, a space, the GUID as exported.
        return f"{self.item_id} {self.guid}"

    @property
    def published(self) -> bool:
        return not self.draft


def parse_wp_date(value: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A ``YYYY-MM-DD HH:MM:SS`` export date in ``zone``; None for the zero date or nonsense."""
    value = value.strip()
    if not value or value == NO_DATE:
        return None
    try:
        naive = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=zone)


def item_dates(item: Item, zone: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Published and modified dates: GMT where the export has it (drafts carry
    the zero date there), else the local date in the site's time zone."""
    date = parse_wp_date(item.post_date_gmt, dt.UTC) or parse_wp_date(item.post_date, zone)
    updated = parse_wp_date(item.post_modified_gmt, dt.UTC) or parse_wp_date(item.post_modified, zone)
    return date, updated


def status_rule(item: Item) -> tuple[bool, str]:
    """``(draft, reason)``, or Skipped for what is not imported."""
    status = item.status
    if status == "trash":
        raise Skipped("in the trash")
    if status == "auto-draft":
        raise Skipped("an empty auto-draft")
    if status == "private":
        return True, "private"
    if item.post_password:
        return True, "password-protected"
    if status in ("draft", "pending"):
        return True, ""
    if status in ("publish", "future"):
        return False, ""
    raise Skipped(f"unknown status {status!r}")


def clean_slug(value: str) -> str:
    """A slug our reader accepts, or "" when nothing usable is left."""
    slug = unicodedata.normalize("NFC", unquote(value).strip())
    if (
        not slug
        or any(c in _SLUG_FORBIDDEN for c in slug)
        or ".." in slug
        or slug.startswith(".")
        or any(unicodedata.category(c).startswith(("C", "Z")) for c in slug)
    ):
        slug = slugify(slug, allow_unicode=True)
    return slug


def item_title(item: Item) -> str:
    """The title as text: WordPress stores some titles HTML-escaped ("Q&amp;A")."""
    return " ".join(html.unescape(item.title).split()) or f"Untitled {item.post_id}"


def wanted_slug(item: Item) -> str:
    """The item's slug: post_name (URL-decoded), else from the title, else the ID."""
    return clean_slug(item.post_name) or slugify(item.title, allow_unicode=True) or item.post_id or "untitled"


def item_tags(item: Item) -> list[str]:
    """Categories and tags, in order, without "Uncategorized"."""
    tags: list[str] = []
    for domain, nicename, name in item.categories:
        # "tag" is WXR 1.0's name for what later versions call "post_tag".
        if domain not in ("category", "post_tag", "tag", ""):
            continue  # post formats, menus and custom taxonomies
        # WordPress stores term names HTML-escaped ("Tips &amp; tricks").
        name = html.unescape(name or nicename).strip()
        if not name or name.lower() == UNCATEGORIZED or nicename.lower() == UNCATEGORIZED:
            continue
        if name not in tags:
            tags.append(name)
    return tags


def old_path(link: str) -> str:
    """The path of an item's permalink, decoded; "" when it is a query (``/?p=1``)."""
    parts = urlsplit(link.strip())
    if parts.query or not parts.path or parts.path == "/":
        return ""
    return unquote(parts.path)

"""The filters Jekyll adds to Liquid, as posts use them (standard Liquid's
come with python-liquid)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from email.utils import format_datetime
from urllib.parse import quote, quote_plus, urlsplit
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from ..errors import ContentError
from .dates import parse_date


def _as_datetime(value: object, zone: ZoneInfo) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    try:
        return parse_date(str(value), zone)[0]
    except ContentError:
        return None


def _slugify(value: object, mode: str = "default") -> str:
    """Jekyll's slugify: lower case, every run of other characters a hyphen."""
    text = str(value).lower()
    if mode == "raw":
        return re.sub(r"\s+", "-", text).strip("-")
    if mode == "none":
        return text
    return re.sub(r"[^\w]+|_", "-", text).strip("-")


def _group_by(items: object, key: str) -> list[dict]:
    groups: dict[str, list] = {}
    for item in items if isinstance(items, list) else []:
        value = item.get(key) if isinstance(item, Mapping) else None
        groups.setdefault("" if value is None else str(value), []).append(item)
    return [{"name": name, "items": members, "size": len(members)} for name, members in groups.items()]


def _sentence(items: object, connector: str = "and") -> str:
    words = [str(item) for item in items] if isinstance(items, list) else [str(items)]
    if len(words) < 3:
        return f" {connector} ".join(words)
    return f"{', '.join(words[:-1])}, {connector} {words[-1]}"


def jekyll_filters(base_url: str, zone: ZoneInfo, markdownify: Callable[[str], str]) -> dict[str, Callable]:
    """Jekyll's filters, for a site published at ``base_url``."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    base_path = parts.path if parts.path.endswith("/") else parts.path + "/"

    def relative_url(value: object) -> str:
        text = str(value)
        if urlsplit(text).scheme or text.startswith("//"):
            return text
        return base_path + text.lstrip("/")

    def absolute_url(value: object) -> str:
        text = relative_url(value)
        return text if urlsplit(text).scheme else origin + text

    def date_format(pattern: str) -> Callable[[object], str]:
        def apply(value: object) -> str:
            moment = _as_datetime(value, zone)
            return moment.strftime(pattern) if moment else str(value)

        return apply

    def rfc822(value: object) -> str:
        moment = _as_datetime(value, zone)
        return format_datetime(moment) if moment else str(value)

    def xmlschema(value: object) -> str:
        moment = _as_datetime(value, zone)
        return moment.isoformat() if moment else str(value)

    def push(items: object, item: object) -> list:
        return [*(items if isinstance(items, list) else []), item]

    def unshift(items: object, item: object) -> list:
        return [item, *(items if isinstance(items, list) else [])]

    return {
        "relative_url": relative_url,
        "absolute_url": absolute_url,
        "date_to_xmlschema": xmlschema,
        "date_to_rfc822": rfc822,
        "date_to_string": date_format("%d %b %Y"),
        "date_to_long_string": date_format("%d %B %Y"),
        "xml_escape": lambda value: xml_escape(str(value), {'"': "&quot;", "'": "&#39;"}),
        "cgi_escape": lambda value: quote_plus(str(value)),
        "uri_escape": lambda value: quote(str(value), safe="/:?#[]@!$&'()*+,;=-._~%"),
        "jsonify": lambda value: json.dumps(value, default=str, ensure_ascii=False),
        "inspect": lambda value: json.dumps(value, default=str, ensure_ascii=False),
        "slugify": _slugify,
        "markdownify": lambda value: markdownify(str(value)),
        "smartify": str,
        "number_of_words": lambda value: len(str(value).split()),
        "normalize_whitespace": lambda value: " ".join(str(value).split()),
        "array_to_sentence_string": _sentence,
        "group_by": _group_by,
        "to_integer": lambda value: int(float(value)) if str(value).strip() else 0,
        "push": push,
        "pop": lambda items: list(items)[:-1] if isinstance(items, list) else [],
        "shift": lambda items: list(items)[1:] if isinstance(items, list) else [],
        "unshift": unshift,
    }

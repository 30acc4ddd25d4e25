"""``disqus-import.xml``: WordPress's approved comments in the WXR form that
Disqus's importer reads, one ``<item>`` per thread with its new URL and the
identifier the WordPress Disqus plugin used, so threads land where readers
will look for them. Spam, trash, unapproved comments and pingbacks are left out;
a reply whose parent was left out hangs from the nearest kept ancestor."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl

from .items import parse_wp_date
from .reader import Comment

DISQUS_FILE = "disqus-import.xml"
# Old URL, new URL: for Disqus's URL mapper, for threads Disqus found by URL
# rather than by identifier.
URL_MAP_FILE = "disqus-url-map.csv"
NAMESPACES = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dsq": "http://www.disqus.com/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.0/",
}
# XML 1.0 cannot carry these at all, escaped or not.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATE = "%Y-%m-%d %H:%M:%S"


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def kept_comments(comments: list[Comment], zone: dt.tzinfo, dropped: Counter) -> list[Comment]:
    """The approved comments, each with a parent that is kept too."""
    by_id = {c.comment_id: c for c in comments}
    kept = {}
    for comment in comments:
        if comment.approved != "1":
            dropped[{"spam": "spam", "trash": "trash"}.get(comment.approved, "not approved")] += 1
        elif comment.kind not in ("", "comment"):
            dropped[comment.kind] += 1
        else:
            kept[comment.comment_id] = comment
    for comment in kept.values():
        parent, seen = comment.parent, set()
        while parent not in ("0", "") and parent not in kept and parent in by_id and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].parent
        comment.parent = parent if parent in kept else "0"
        if not comment.date_gmt or parse_wp_date(comment.date_gmt, dt.UTC) is None:
            local = parse_wp_date(comment.date, zone)
            comment.date_gmt = local.astimezone(dt.UTC).strftime(_DATE) if local else ""
    return list(kept.values())


class DisqusExport:
    """Writes the file as threads come, to a temporary file renamed into place at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.threads = 0
        self.comments = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, self._temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self._file = os.fdopen(handle, "w", encoding="utf-8")
        self._xml = XMLGenerator(self._file, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()
        for prefix, uri in NAMESPACES.items():
            self._xml.startPrefixMapping(prefix, uri)
        self._xml.startElementNS((None, "rss"), "rss", _attributes({"version": "2.0"}))
        self._xml.ignorableWhitespace("\n")
        self._xml.startElementNS((None, "channel"), "channel", _attributes({}))

    def _element(self, prefix: str | None, name: str, text: str) -> None:
        key = (NAMESPACES[prefix] if prefix else None, name)
        self._xml.startElementNS(key, None, _attributes({}))
        self._xml.characters(_clean(text))
        self._xml.endElementNS(key, None)

    def thread(self, title: str, url: str, identifier: str, date: dt.datetime, comments: list[Comment]) -> None:
        if not comments:
            return
        self._xml.ignorableWhitespace("\n")
        self._xml.startElementNS((None, "item"), None, _attributes({}))
        self._element(None, "title", title)
        self._element(None, "link", url)
        self._element("content", "encoded", "")
        self._element("dsq", "thread_identifier", identifier)
        self._element("wp", "post_date_gmt", date.astimezone(dt.UTC).strftime(_DATE))
        self._element("wp", "comment_status", "open")
        for comment in comments:
            self._xml.startElementNS((NAMESPACES["wp"], "comment"), None, _attributes({}))
            for name, value in (
                ("comment_id", comment.comment_id),
                ("comment_author", comment.author),
                ("comment_author_email", comment.author_email),
                ("comment_author_url", comment.author_url),
                ("comment_author_IP", comment.author_ip),
                ("comment_date_gmt", comment.date_gmt),
                ("comment_content", comment.content),
                ("comment_approved", "1"),
                ("comment_parent", comment.parent),
            ):
                self._element("wp", name, value)
            self._xml.endElementNS((NAMESPACES["wp"], "comment"), None)
            self.comments += 1
        self._xml.endElementNS((None, "item"), None)
        self.threads += 1

    def finish(self, keep: bool) -> None:
        """Close the file; move it into place if ``keep`` and it holds a comment, else remove it."""
        self._xml.ignorableWhitespace("\n")
        self._xml.endElementNS((None, "channel"), None)
        self._xml.endElementNS((None, "rss"), None)
        self._xml.endDocument()
        self._file.close()
        temporary = Path(self._temporary)
        unchanged = self.path.exists() and self.path.read_bytes() == temporary.read_bytes()
        if keep and self.comments and not unchanged:
            os.replace(temporary, self.path)
        else:
            Path(self._temporary).unlink(missing_ok=True)


def _attributes(values: dict[str, str]):
    return AttributesNSImpl({(None, k): v for k, v in values.items()}, {(None, k): k for k in values})


def write_url_map(path: Path, moved: list[tuple[str, str]]) -> None:
    """Write ``old URL,new URL`` lines, unless the file holds them already."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(moved)
    data = text.getvalue().encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)

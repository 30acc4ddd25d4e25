"""Stream the items of a WordPress export (WXR 1.0, 1.1, 1.2), hardened.

An export is untrusted input: it is parsed with defusedxml, which refuses
entity declarations (the "billion laughs" bomb) and external references, and
streamed with iterparse, clearing each item once it is read, so a 50 MB export
never becomes a 50 MB tree. Elements are matched on their local names: the
``wp:`` namespace differs between versions (``http://`` and ``https://``,
``1.0`` to ``1.2``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse


class ExportError(Exception):
    """The export cannot be read: the message names the file and where."""


@dataclass
class Comment:
    comment_id: str
    parent: str
    approved: str
    kind: str
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: str
    date: str
    content: str


@dataclass
class Item:
    post_id: str
    post_type: str
    status: str
    title: str = ""
    link: str = ""
    guid: str = ""
    post_name: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_modified: str = ""
    post_modified_gmt: str = ""
    post_parent: str = "0"
    post_password: str = ""
    attachment_url: str = ""
    content: str = ""
    excerpt: str = ""
    # (domain, nicename, display name) of each <category>.
    categories: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Channel:
    """What the export says of the old site."""

    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    wxr_version: str = ""


# Item children read as plain text, by local name (and namespace kind for the two "encoded").
_TEXT_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "guid",
    "post_id": "post_id",
    "post_type": "post_type",
    "status": "status",
    "post_name": "post_name",
    "post_date": "post_date",
    "post_date_gmt": "post_date_gmt",
    "post_modified": "post_modified",
    "post_modified_gmt": "post_modified_gmt",
    "post_parent": "post_parent",
    "post_password": "post_password",
    "attachment_url": "attachment_url",
}
_CHANNEL_FIELDS = {"link": "link", "base_site_url": "base_site_url", "base_blog_url": "base_blog_url"}


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _text(element: Element) -> str:
    # Split CDATA sections arrive joined: expat hands them to ElementTree as one text.
    return element.text or ""


def _child_texts(element: Element) -> dict[str, str]:
    return {local_name(child.tag): _text(child) for child in element}


def _comment(element: Element) -> Comment:
    values = _child_texts(element)
    return Comment(
        comment_id=values.get("comment_id", "").strip(),
        parent=values.get("comment_parent", "0").strip() or "0",
        approved=values.get("comment_approved", "").strip(),
        kind=values.get("comment_type", "").strip(),
        author=values.get("comment_author", ""),
        author_email=values.get("comment_author_email", "").strip(),
        author_url=values.get("comment_author_url", "").strip(),
        author_ip=values.get("comment_author_IP", "").strip(),
        date_gmt=values.get("comment_date_gmt", "").strip(),
        date=values.get("comment_date", "").strip(),
        content=values.get("comment_content", ""),
    )


def _item(element: Element, with_bodies: bool) -> Item:
    item = Item(post_id="", post_type="", status="")
    for child in element:
        name = local_name(child.tag)
        if name in _TEXT_FIELDS:
            setattr(item, _TEXT_FIELDS[name], _text(child).strip() if name != "title" else _text(child))
        elif name == "encoded" and with_bodies:
            if "excerpt" in _namespace(child.tag):
                item.excerpt = _text(child)
            else:
                item.content = _text(child)
        elif name == "category":
            item.categories.append((child.get("domain", ""), child.get("nicename", ""), _text(child).strip()))
        elif name == "postmeta":
            values = _child_texts(child)
            key = values.get("meta_key", "").strip()
            if key:
                item.meta[key] = values.get("meta_value", "").strip()
        elif name == "comment" and with_bodies:
            item.comments.append(_comment(child))
    item.title = item.title.strip()
    return item


def read_export(path: Path, channel: Channel | None = None, with_bodies: bool = True) -> Iterator[Item]:
    """Yield every ``<item>`` of the export at ``path``; fill ``channel`` on the way.

    Raises ExportError for a file that is not a readable, well-formed, safe export.
    """
    channel = channel if channel is not None else Channel()
    depth_names: list[str] = []
    parents: list[Element] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            name = local_name(element.tag)
            if event == "start":
                depth_names.append(name)
                parents.append(element)
                continue
            depth_names.pop()
            parents.pop()
            if name == "item":
                yield _item(element, with_bodies)
                # Drop the item from its parent too, so the tree stays empty.
                element.clear()
                if parents:
                    parents[-1].remove(element)
            elif depth_names[-1:] == ["channel"]:
                if name in _CHANNEL_FIELDS:
                    setattr(channel, _CHANNEL_FIELDS[name], _text(element).strip())
                elif name == "wxr_version":
                    channel.wxr_version = _text(element).strip()
                # Authors, terms and categories of the channel are not needed.
                element.clear()
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        message = str(error).split(":")[0]
        raise ExportError(
            f"{path}:{line}:{column + 1}: the export is not well-formed XML ({message}); "
            "export it again from WordPress (Tools → Export), or fix the file at that place"
        ) from None
    except DefusedXmlException as error:
        raise ExportError(
            f"{path}: refused: the export declares {_refusal(error)}. WordPress never writes these; "
            "an export that has them was altered, and could expand without end or read files"
        ) from None
    except OSError as error:
        raise ExportError(f"{path}: cannot be read: {error.strerror or error}") from None


def _refusal(error: DefusedXmlException) -> str:
    kind = type(error).__name__
    if kind == "EntitiesForbidden" and getattr(error, "sysid", None):
        return f"an external entity ({error.name} -> {error.sysid})"
    if kind == "EntitiesForbidden":
        return f"an entity ({getattr(error, 'name', '?')!s})"
    if kind == "ExternalReferenceForbidden":
        return f"an external reference ({getattr(error, 'sysid', '') or getattr(error, 'pubid', '')})"
    if kind == "DTDForbidden":
        return "a document type"
    return f"something unsafe ({error})"

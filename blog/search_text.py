"""What Pagefind reads of a page, summed up in a digest. A page whose digest
is unchanged gives the index the same entry, so its shard is not indexed again
(blog/build/search.py).

On a page that marks its content with ``data-pagefind-body``, Pagefind reads
the marked elements; ``data-pagefind-*`` attributes anywhere, the head
included, with their elements' text; ``<html lang>``; and, by default, a
title and an image it may take from an ``<h1>`` and an ``<img>``. The digest
keeps the marked elements, and every other stretch of the page that holds
any of those; it leaves out only the stretches between and after the marked
elements that hold none of them: on a post, the links to its neighbours, its
related posts and the site's footer. A page this cannot follow (a marked
element never closed) is kept whole, so the worst case is a shard indexed
again, never a stale one.
"""

from __future__ import annotations

import hashlib
import re

BODY_MARK = b"data-pagefind-body"
# What Pagefind may read outside the marked elements.
READ_ANYWHERE = (b"data-pagefind-", b"<h1", b"<img", b"<html", b"<head", b"<meta", b"<title")
_TAG_NAME = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)")


def indexed_digest(page: bytes) -> str:
    """A digest of the parts of ``page`` (HTML) that Pagefind may read."""
    hasher = hashlib.blake2b(digest_size=16)
    spans = marked_elements(page)
    if spans is None:
        hasher.update(page)
        return hasher.hexdigest()
    position = 0
    for start, end in [*spans, (len(page), len(page))]:
        gap = page[position:start]
        # A gap is kept whole or left out whole, so that what it holds is
        # never read out of its context.
        hasher.update(gap if any(mark in gap for mark in READ_ANYWHERE) else b"\0")
        hasher.update(page[start:end])
        position = end
    return hasher.hexdigest()


def marked_elements(page: bytes) -> list[tuple[int, int]] | None:
    """Where each element carrying ``data-pagefind-body`` starts and ends, in
    order, outermost only; None if one of them is never closed."""
    spans: list[tuple[int, int]] = []
    found = page.find(BODY_MARK)
    while found != -1:
        start = page.rfind(b"<", 0, found)
        # The mark inside a start tag, not in text (a post about Pagefind).
        if start != -1 and b">" not in page[start:found] and not (spans and start < spans[-1][1]):
            name = _TAG_NAME.match(page, start)
            if name is None:
                return None
            end = _element_end(page, start, name.group(1))
            if end is None:
                return None
            spans.append((start, end))
        found = page.find(BODY_MARK, found + len(BODY_MARK))
    return spans


def _element_end(page: bytes, start: int, name: bytes) -> int | None:
    """The end of the element whose start tag begins at ``start``: after the
    closing tag that matches it, counting elements of the same name inside."""
    tags = re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])", re.IGNORECASE)
    depth = 0
    for tag in tags.finditer(page, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = page.find(b">", tag.end())
            return None if close == -1 else close + 1
    return None

"""WordPress's paragraph rule (``wpautop``) for classic-editor bodies.

A classic post is stored as the author typed it: a blank line makes a new
paragraph, a single line break a ``<br>``, and block elements stand alone.
Block-editor posts are real HTML already and pass through unchanged apart
from their ``<!-- wp:… -->`` comments.
"""

from __future__ import annotations

import re

# Elements that are never wrapped in a paragraph (WordPress's own list, plus HTML5's).
_BLOCKS = (
    "address|article|aside|audio|blockquote|canvas|caption|col|colgroup|dd|details|div|dl|dt|embed|fieldset|"
    "figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|iframe|legend|li|main|map|math|menu|nav|object|ol|p|"
    "pre|section|style|summary|svg|table|tbody|td|tfoot|th|thead|tr|ul|video|script|noscript"
)
_OPENING = re.compile(rf"(<(?:{_BLOCKS})\b[^>]*>)", re.IGNORECASE)
_CLOSING = re.compile(rf"(</(?:{_BLOCKS})\s*>)", re.IGNORECASE)
_ANY_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCKS})\b", re.IGNORECASE)
_STARTS_WITH_BLOCK = re.compile(rf"^</?(?:{_BLOCKS})\b", re.IGNORECASE)
# Set aside before paragraphs are made: <pre> keeps its line breaks, and a
# figure or a video frame (written by blog/importers/wordpress/shortcodes.py, or by the block editor)
# is whole already.
_KEPT = re.compile(
    r"<pre\b.*?</pre\s*>|<figure\b.*?</figure\s*>|<div class=\"video-embed\"[^>]*>.*?</div>",
    re.IGNORECASE | re.DOTALL,
)
_GUTENBERG = re.compile(r"<!--\s*/?wp:[^>]*?-->\n?", re.DOTALL)
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


def strip_block_comments(html: str) -> str:
    """Remove the block editor's ``<!-- wp:… -->`` and ``<!-- /wp:… -->`` markers."""
    return _GUTENBERG.sub("", html)


def wpautop(html: str) -> str:
    """Paragraphs from blank lines and ``<br>`` from single line breaks, outside block elements and ``<pre>``."""
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    position = 0
    for pre in _KEPT.finditer(html):
        out.append(_paragraphs(html[position : pre.start()]))
        out.append(pre.group(0))
        position = pre.end()
    out.append(_paragraphs(html[position:]))
    return "\n\n".join(part for part in out if part)


def _paragraphs(text: str) -> str:
    # As WordPress does: a blank line before each block element opens and after
    # each one closes. A chunk that starts with a block tag is left as it is;
    # any other is a paragraph, up to the closing tag of its parent block.
    text = _CLOSING.sub(r"\1\n\n", _OPENING.sub(r"\n\n\1", text))
    chunks = []
    for chunk in _BLANK_LINES.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("<!--") and "-->" in chunk:
            # A comment such as <!--more--> on the line before the text.
            comment, _, chunk = chunk.partition("-->")
            chunks.append(comment + "-->")
            chunk = chunk.strip()
            if not chunk:
                continue
        if _STARTS_WITH_BLOCK.match(chunk):
            chunks.append(chunk)
            continue
        block = _ANY_BLOCK_TAG.search(chunk)
        end = block.start() if block else len(chunk)
        inline = chunk[:end].strip()
        chunks.append("<p>" + inline.replace("\n", "<br />\n") + "</p>" + chunk[end:])
    return "\n".join(chunks)

"""An item's body as clean Markdown: block comments stripped, WordPress's
paragraph rule applied, shortcodes converted, links rewritten, then HTML to
Markdown with markdownify. What Markdown cannot express stays HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from markdownify import ATX, MarkdownConverter

from .autop import strip_block_comments, wpautop
from .links import LinkMap, Rewritten, rewrite_links
from .shortcodes import ShortcodeContext, convert_shortcodes, unknown_shortcodes

_BRUSH = re.compile(r"(?:brush|lang(?:uage)?)\s*[:-]\s*([\w+#.-]+)", re.IGNORECASE)
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang)-([\w+#.-]+)$")
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")
# WordPress's "read more" mark, which is ours too (the summary ends there).
# markdownify drops comments, so it crosses the conversion as a word of its own.
_MORE = re.compile(r"<!--\s*more\b[^>]*-->", re.IGNORECASE)
_MORE_TOKEN = "wordpressmoremark0c7d"
# SyntaxHighlighter's brush names that Pygments knows by another name.
_BRUSHES = {"plain": "text", "shell": "bash", "jscript": "javascript", "vb": "vbnet", "ps": "powershell"}


@dataclass
class Body:
    markdown: str
    uploads: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def code_language(element) -> str:
    """The language of a ``<pre>``: SyntaxHighlighter's ``brush: x``, or ``language-x`` on it or its ``<code>``."""
    for candidate in (element, element.find("code")):
        if candidate is None:
            continue
        classes = candidate.get("class") or []
        match = _BRUSH.search(" ".join(classes))
        if match:
            return _BRUSHES.get(match.group(1).lower(), match.group(1).lower())
        for name in classes:
            found = _LANGUAGE_CLASS.match(name)
            if found:
                return found.group(1).lower()
    return ""


# Text that Markdown would read as a list item, a heading or a rule when it
# starts a line ("1. Not a list", "# not a heading", "- not a bullet"): the
# marker is escaped, as Python-Markdown understands. markdownify's escape_misc
# would also escape & < = | ~, which Python-Markdown shows with their backslash.
_LINE_MARKERS = (
    (re.compile(r"((?:\s|^)[0-9]{1,9})([.)](?:\s|$))"), r"\1\\\2"),
    (re.compile(r"(\s|^)(#{1,6}(?:\s|$))"), r"\1\\\2"),
    (re.compile(r"(\s|^)([-+](?:\s|$))"), r"\1\\\2"),
)


class _Converter(MarkdownConverter):
    """markdownify, keeping as HTML what Markdown has no form for."""

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        for pattern, replacement in _LINE_MARKERS:
            text = pattern.sub(replacement, text)
        return text

    def _as_html(self, el, text, parent_tags):
        return f"\n\n{el}\n\n"

    convert_figure = convert_iframe = convert_video = convert_audio = _as_html
    convert_object = convert_embed = convert_details = _as_html

    def convert_div(self, el, text, parent_tags):
        if "video-embed" in (el.get("class") or []):
            return self._as_html(el, text, parent_tags)
        return super().convert_div(el, text, parent_tags)


def to_markdown(content: str, context: ShortcodeContext, links: LinkMap) -> Body:
    html = _MORE.sub(f"\n\n<p>{_MORE_TOKEN}</p>\n\n", strip_block_comments(content), count=1)
    html = convert_shortcodes(html, context)
    html = wpautop(html)
    soup = BeautifulSoup(html, "html.parser")
    rewritten: Rewritten = rewrite_links(soup, links)
    converter = _Converter(
        heading_style=ATX,
        bullets="-",
        code_language_callback=code_language,
        escape_underscores=False,
        escape_misc=False,
    )
    markdown = converter.convert_soup(soup).replace(_MORE_TOKEN, "<!-- more -->")
    markdown = _EXTRA_BLANK_LINES.sub("\n\n", markdown).strip() + "\n"
    return Body(markdown, rewritten.uploads, rewritten.missing, unknown_shortcodes(markdown))


def excerpt_text(excerpt: str) -> str:
    """The excerpt as plain text (our ``summary`` is text, never HTML)."""
    if not excerpt.strip():
        return ""
    return " ".join(BeautifulSoup(strip_block_comments(excerpt), "html.parser").get_text(" ").split())

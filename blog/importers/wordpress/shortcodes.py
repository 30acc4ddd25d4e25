"""WordPress shortcodes that have a Markdown or HTML meaning, turned into HTML
before the body is converted; the others are left as written and reported.

Shortcodes are found as WordPress finds them, by pattern (its
``get_shortcode_regex``): they are a text convention, not a markup language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

# Shortcodes this module converts; any other is reported.
KNOWN = frozenset({"code", "sourcecode", "source", "caption", "wp_caption", "embed", "gallery"})
# WordPress's own shortcodes with no conversion here: always reported, attributes or not.
CORE_UNCONVERTED = frozenset({"audio", "video", "playlist"})

_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
_CODE = re.compile(r"\[(code|sourcecode|source)(\s[^\]]*|=[^\]]*)?\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_CAPTION = re.compile(r"\[(caption|wp_caption)(\s[^\]]*)?\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_CAPTION_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE)
_EMBED = re.compile(r"\[embed(\s[^\]]*)?\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_GALLERY = re.compile(r"\[gallery(\s[^\]]*)?\]", re.IGNORECASE)
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.MULTILINE)
# Any [name ...] or [/name]: reported when it looks like a shortcode (below).
_ANY = re.compile(r"\[(/?)([A-Za-z][\w-]*)((?:\s[^\]\[]*)?)\]")
_PRE = re.compile(r"<pre\b.*?</pre\s*>", re.IGNORECASE | re.DOTALL)
# A responsive 16:9 frame that needs no stylesheet: the box's padding is 9/16
# of its width, and the frame fills it.
_BOX_STYLE = "position:relative;height:0;padding-bottom:56.25%"
_FRAME_STYLE = "position:absolute;top:0;left:0;width:100%;height:100%;border:0"


@dataclass
class Attachment:
    url: str
    title: str = ""


@dataclass
class ShortcodeContext:
    """What conversions need to know of the rest of the export."""

    item_id: str
    attachments: dict[str, Attachment] = field(default_factory=dict)
    # Item id -> ids of the attachments uploaded to it, for [gallery] without ids.
    children: dict[str, list[str]] = field(default_factory=dict)


def attributes(text: str | None) -> dict[str, str]:
    """``key="value"`` pairs of a shortcode, plus its bare ``=value`` as ``""``."""
    if not text:
        return {}
    text = text.strip()
    found = {}
    if text.startswith("="):  # [code="python"]
        found[""] = text[1:].strip("\"' ")
        return found
    for match in _ATTRIBUTE.finditer(text):
        found[match.group(1).lower()] = next(v for v in match.groups()[1:] if v is not None)
    return found


def convert_shortcodes(text: str, context: ShortcodeContext) -> str:
    """The body with known shortcodes as HTML. Code blocks are converted
    first and nothing inside them is touched afterwards."""
    text = _CODE.sub(_code, text)
    return _outside_pre(text, lambda part: _others(part, context))


def _outside_pre(text: str, change: Callable[[str], str]) -> str:
    out, position = [], 0
    for pre in _PRE.finditer(text):
        out += [change(text[position : pre.start()]), pre.group(0)]
        position = pre.end()
    out.append(change(text[position:]))
    return "".join(out)


def _others(text: str, context: ShortcodeContext) -> str:
    text = _CAPTION.sub(_caption, text)
    text = _EMBED.sub(lambda m: _embed(m.group(2).strip()), text)
    text = _GALLERY.sub(lambda m: _gallery(attributes(m.group(1)), context), text)
    return _BARE_URL_LINE.sub(lambda m: _video_frame(m.group(1)) or m.group(0), text)


def _code(match: re.Match) -> str:
    found = attributes(match.group(2))
    language = found.get("language") or found.get("lang") or found.get("") or ""
    language = re.sub(r"[^\w+#.-]", "", language)
    # The visual editor stores code with its < as &lt;, the text editor as <:
    # read both, then escape once for the <pre>.
    code = html.escape(html.unescape(match.group(3).strip("\n")), quote=False)
    brush = f' class="brush: {language}"' if language else ""
    return f"\n\n<pre{brush}>{code}</pre>\n\n"


def _caption(match: re.Match) -> str:
    found = attributes(match.group(2))
    inner = _CAPTION_MEDIA.match(match.group(3))
    if inner is None:
        return match.group(3)
    media, caption = inner.group(1), inner.group(2).strip() or found.get("caption", "")
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{media}{figcaption}</figure>\n\n"


def video_embed_url(url: str) -> tuple[str, str] | None:
    """The embeddable player URL and the service's name, for a YouTube or Vimeo link."""
    parts = urlsplit(html.unescape(url))
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    video = ""
    if host == "youtu.be":
        video = parts.path.strip("/")
    elif host in ("youtube.com", "youtube-nocookie.com"):
        if parts.path == "/watch":
            video = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/embed/", "/shorts/")):
            video = parts.path.split("/")[2]
        if video:
            return f"https://www.youtube-nocookie.com/embed/{_safe_id(video)}", "YouTube"
        return None
    elif host in ("vimeo.com", "player.vimeo.com"):
        number = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if number.isdigit():
            return f"https://player.vimeo.com/video/{number}", "Vimeo"
        return None
    if video:
        return f"https://www.youtube-nocookie.com/embed/{_safe_id(video)}", "YouTube"
    return None


def _safe_id(video: str) -> str:
    return re.sub(r"[^\w-]", "", video)


def _video_frame(url: str) -> str:
    found = video_embed_url(url)
    if found is None:
        return ""
    player, service = found
    return (
        f'\n\n<div class="video-embed" style="{_BOX_STYLE}"><iframe src="{html.escape(player)}" '
        f'title="{service} video" style="{_FRAME_STYLE}" allow="fullscreen; picture-in-picture" allowfullscreen>'
        "</iframe></div>\n\n"
    )


def _embed(url: str) -> str:
    frame = _video_frame(url)
    if frame:
        return frame
    escaped = html.escape(html.unescape(url))
    return f'<a href="{escaped}">{escaped}</a>'


def _gallery(found: dict[str, str], context: ShortcodeContext) -> str:
    ids = [i.strip() for i in found.get("ids", found.get("include", "")).split(",") if i.strip()]
    if not ids:
        ids = context.children.get(found.get("id", context.item_id), [])
    images = [
        f'<img src="{html.escape(a.url)}" alt="{html.escape(a.title)}">'
        for a in (context.attachments.get(i) for i in ids)
        if a is not None
    ]
    return "\n\n<p>" + "\n".join(images) + "</p>\n\n" if images else ""


def unknown_shortcodes(text: str) -> list[str]:
    """Names of what looks like a shortcode this module does not convert: one
    of WordPress's own, one with attributes, or one with a closing tag.
    ``[sic]`` and ``[1]`` are prose, not shortcodes."""
    closed = {m.group(2).lower() for m in _ANY.finditer(text) if m.group(1)}
    names = []
    for match in _ANY.finditer(text):
        name = match.group(2).lower()
        if match.group(1) or name in KNOWN or name in names:
            continue
        if name in CORE_UNCONVERTED or name in closed or "=" in match.group(3):
            names.append(name)
    return names

"""Small transformations of rendered HTML: plain text, and summaries that can
sit beside other summaries on one page."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# A formula (blog/content/math.py) reads as the TeX it was written in, kept in
# its alttext: its MathML's text is a jumble of symbols.
_MATH = re.compile(r"<math\b[^>]*?\salttext=\"([^\"]*)\"[^>]*>.*?</math>", re.DOTALL)


def plain_text(fragment: str) -> str:
    """The readable text of an HTML fragment, with whitespace collapsed."""
    if "<math" in fragment:
        fragment = _MATH.sub(r" \1 ", fragment)
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def truncate_words(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


_LINK_ATTRIBUTE = re.compile(r"""(\s(?:href|src)=)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# The image candidates of <img> and <source> (blog/content/image_html.py).
_SRCSET_ATTRIBUTE = re.compile(r"""(\ssrcset=)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def absolute_links(fragment: str, base_url: str) -> str:
    """Resolve every href, src and srcset in ``fragment`` against ``base_url``.

    Feed readers resolve relative links against the feed's address, not the
    post's, so links a post body makes relative to itself (``#fn:1``,
    ``../images/x.png``) must be made absolute before they go in a feed."""

    def resolve(match: re.Match) -> str:
        return f"{match.group(1)}{match.group(2)}{urljoin(base_url, match.group(3))}{match.group(2)}"

    def resolve_srcset(match: re.Match) -> str:
        candidates = []
        for candidate in match.group(3).split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            candidates.append(f"{urljoin(base_url, url)} {descriptor}".strip())
        return f"{match.group(1)}{match.group(2)}{', '.join(candidates)}{match.group(2)}"

    fragment = _LINK_ATTRIBUTE.sub(resolve, fragment)
    return _SRCSET_ATTRIBUTE.sub(resolve_srcset, fragment) if "srcset=" in fragment else fragment


def summary_fragment(fragment: str) -> str:
    """A copy of a post's opening that is safe to repeat on list pages: no
    ``id`` attributes (they would clash between posts), no footnote markers
    (their notes are not on the list page) and no heading permalinks."""
    cleaner = _SummaryCleaner()
    cleaner.feed(fragment)
    cleaner.close()
    return "".join(cleaner.out).strip()


class _SummaryCleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        # Depth of elements being dropped with everything inside them.
        self._skip_depth = 0

    def _dropped(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "a" and "headerlink" in classes:
            return True
        return tag == "sup" and any(name == "id" and (value or "").startswith("fnref") for name, value in attrs)

    def handle_starttag(self, tag, attrs):
        if self._skip_depth:
            if tag not in _VOID:
                self._skip_depth += 1
            return
        if self._dropped(tag, attrs):
            self._skip_depth = 0 if tag in _VOID else 1
            return
        kept = "".join(
            f' {name}="{html.escape(value, quote=True)}"' if value is not None else f" {name}"
            for name, value in attrs
            if name != "id"
        )
        self.out.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self._skip_depth:
            self.out.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")

    def handle_comment(self, data):
        pass

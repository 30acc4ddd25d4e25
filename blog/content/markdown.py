"""Markdown to HTML, with Pygments highlighting and a table of contents.

Rendered HTML is data: it is produced here once, stored in the database, and
emitted by the templates with ``|safe``. Post bodies never pass through the
template engine.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import markdown
import pygments
from markdown.extensions import codehilite
from markdown.extensions.toc import slugify_unicode
from pygments.formatters.html import HtmlFormatter
from pygments.lexers import find_lexer_class_by_name
from pygments.util import ClassNotFound

from . import figures, html_text, image_html, images, internal_links, math
from .html_text import plain_text, summary_fragment
from .internal_links import FoundLinks, InternalLinksExtension
from .math import MathExtension, MathProblem

# Posts shorter than this many words still say "1 min read".
WORDS_PER_MINUTE = 220
# A post shows its table of contents from this many headings on.
TOC_MIN_HEADINGS = 3

EXTENSIONS = [
    "abbr",
    "attr_list",
    "codehilite",
    "def_list",
    "fenced_code",
    "footnotes",
    "md_in_html",
    "sane_lists",
    "tables",
    "toc",
    # An image with a caption becomes <figure> (figures.py).
    "blog.content.figures:FigureExtension",
]


class _HtmlFormatter(HtmlFormatter):
    """Pygments' HTML formatter, with its token-class tables built once per
    style and class prefix instead of once per code block (about 0.7 ms each).
    The tables are only read after they are built, so formatters can share them."""

    _tables: dict[tuple, tuple[dict, dict]] = {}

    def _create_stylesheet(self) -> None:
        key = (self.style, self.classprefix)
        tables = self._tables.get(key)
        if tables is None:
            super()._create_stylesheet()
            tables = self._tables[key] = (self.ttype2class, self.class2style)
        self.ttype2class, self.class2style = tables


EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False, "pygments_formatter": _HtmlFormatter},
    "toc": {
        "permalink": "#",
        "permalink_title": "Link to this section",
        "slugify": slugify_unicode,
    },
    "footnotes": {"BACKLINK_TITLE": "Back to the text of footnote %d"},
}

_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
# Jekyll's Liquid tag for highlighted code, and Hugo's shortcode for the same.
_JEKYLL_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}[ \t]*\n?(.*?)\n?[ \t]*\{%-?\s*endhighlight\s*-?%\}",
    re.DOTALL,
)
_HUGO_HIGHLIGHT = re.compile(
    r"\{\{<\s*highlight\s+([\w+#.-]+)[^>]*>\}\}[ \t]*\n?(.*?)\n?[ \t]*\{\{<\s*/highlight\s*>\}\}",
    re.DOTALL,
)
_LIQUID_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc_html: str
    heading_count: int
    summary_html: str
    word_count: int
    # Links to other sources, made markers (blog/content/internal_links.py).
    links: FoundLinks = field(default_factory=FoundLinks)
    # Math that could not be rendered, shown as written (blog/content/math.py).
    math_problems: tuple[MathProblem, ...] = ()

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))


def renderer_fingerprint() -> str:
    """Changes whenever the same Markdown could render differently, so cached
    HTML keyed by it is never stale."""
    parts = [
        # The packages' own version attributes: importlib.metadata costs
        # 50-60 ms to import, on every build.
        markdown.__version__,
        pygments.__version__,
        math.LATEX2MATHML_VERSION,
        repr(EXTENSIONS),
        repr({k: {n: getattr(v, "__name__", v) for n, v in c.items()} for k, c in EXTENSION_CONFIGS.items()}),
        # This module and the HTML helpers it uses: the formatter, the math
        # and the summary rules are code, not configuration.
        *(
            Path(module.__file__).read_text(encoding="utf-8")
            for module in (sys.modules[__name__], html_text, figures, images, image_html, internal_links, math)
        ),
        str(WORDS_PER_MINUTE),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _lexer_class(alias: str):
    return find_lexer_class_by_name(alias)


def _cached_get_lexer_by_name(alias: str | None, **options):
    """pygments.lexers.get_lexer_by_name without its scan of every lexer's aliases
    (about 1 ms a code block); a fresh lexer each time, as Pygments expects."""
    if not alias:
        # A code block without a language: codehilite catches this and falls
        # back to plain text, as it does with Pygments' own function.
        raise ClassNotFound(f"no lexer for alias {alias!r} found")
    return _lexer_class(alias.lower())(**options)


# codehilite looks the lexer up by name for every code block.
codehilite.get_lexer_by_name = _cached_get_lexer_by_name

_converter: tuple[markdown.Markdown, InternalLinksExtension, MathExtension] | None = None


def _markdown() -> tuple[markdown.Markdown, InternalLinksExtension, MathExtension]:
    # Building the converter costs more than converting a typical post, so
    # each process keeps one and resets it between documents.
    global _converter
    if _converter is None:
        links, math_extension = InternalLinksExtension(), MathExtension()
        converter = markdown.Markdown(
            extensions=[*EXTENSIONS, links, math_extension], extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        _converter = (converter, links, math_extension)
    return _converter


def render_markdown(source: str, source_path: str = "", *, liquid_rendered: bool = False) -> RenderedMarkdown:
    """``source`` as HTML; ``source_path`` (relative to content/) is the file
    it was read from, against which relative links to other sources resolve.
    ``liquid_rendered``: Liquid already ran over it (blog/content/liquid_render.py),
    so what looks like a Liquid tag now is text the author meant literally (it
    came out of ``{% raw %}``)."""
    converter, links, math_extension = _markdown()
    converter.reset()
    found = links.start(source_path)
    html = converter.convert(_translate_highlight(source, liquid_rendered))
    tokens = converter.toc_tokens
    heading_count = _count(tokens)
    toc_html = converter.toc if heading_count >= TOC_MIN_HEADINGS else ""
    return RenderedMarkdown(
        html=html,
        toc_html=toc_html,
        heading_count=heading_count,
        summary_html=_summary(html),
        word_count=len(plain_text(html).split()),
        links=found,
        math_problems=tuple(math_extension.problems),
    )


def _translate_highlight(source: str, liquid_rendered: bool) -> str:
    """Rewrite Jekyll/Hugo highlight tags as fenced code blocks. Without
    Liquid, Jekyll's ``highlight`` and ``raw`` are read here so that a post
    copied in shows its code; with Liquid they are real tags."""
    if "highlight" in source:
        if not liquid_rendered:
            source = _JEKYLL_HIGHLIGHT.sub(_fence, source)
        source = _HUGO_HIGHLIGHT.sub(_fence, source)
    if "raw" in source and not liquid_rendered:
        source = _LIQUID_RAW.sub("", source)
    return source


def _fence(match: re.Match) -> str:
    return fenced_code(match.group(1), match.group(2))


def fenced_code(language: str, code: str) -> str:
    """``code`` as a fenced block on lines of its own, for Pygments to highlight."""
    # A fence longer than any run of backticks in the code cannot close early.
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"\n{fence}{language}\n{code}\n{fence}\n"


def _summary(html: str) -> str:
    parts = _MORE.split(html, maxsplit=1)
    if len(parts) == 2:
        return summary_fragment(parts[0])
    first = re.search(r"<p\b[^>]*>.*?</p>", html, re.DOTALL)
    return summary_fragment(first.group(0)) if first else ""


def _count(tokens: list[dict]) -> int:
    return sum(1 + _count(token["children"]) for token in tokens)

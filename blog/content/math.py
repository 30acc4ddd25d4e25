"""TeX math in posts, turned into MathML when the post is rendered: no
JavaScript, nothing fetched by the reader.

``$…$`` and ``\\(…\\)`` are inline, ``$$…$$`` and ``\\[…\\]`` display math. A
Python-Markdown extension finds them after code spans are taken out (inline
patterns run on text only, never on code), so code is never math.

Dollars in prose stay text by Pandoc's rules for ``tex_math_dollars``: the
opening ``$`` has a non-space character right after it, the closing one a
non-space character right before it and no digit right after it. Two stricter
rules keep shell samples and prices out of math as well: the closing ``$`` is
the first unescaped ``$`` after the opening one (so ``$3.50, or $x$`` is a price
and then the formula ``x``), and it must not be followed by a letter either
(``$PATH:$HOME`` is a shell sample, not the formula ``PATH:``).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

# The package alone, for its version: its converter, which loads its table
# of symbols, is imported when a formula is converted (to_mathml), as it
# cost 27 ms of every build's start.
import latex2mathml
from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# The version the renderer's fingerprint names (blog/content/markdown.py).
LATEX2MATHML_VERSION = latex2mathml.__version__

# What each MathML layout element needs as children: latex2mathml writes an
# element short of them for input such as \frac{a}, which a browser shows as
# garbage and the HTML checker rejects.
_CHILDREN = {
    "mfrac": 2,
    "msup": 2,
    "msub": 2,
    "msubsup": 3,
    "mroot": 2,
    "munder": 2,
    "mover": 2,
    "munderover": 3,
}
# MathML's token elements hold text only: latex2mathml nests elements in an
# ``mo`` for \mathop{…}, which the Nu HTML checker rejects.
_TOKENS = frozenset({"mi", "mn", "mo", "mtext", "ms"})
_NUMERIC_REFERENCE = re.compile(r"&#x([0-9a-fA-F]+);")
# Python-Markdown's placeholders for what it has set aside (code spans, raw
# HTML): math that holds one crossed a code span, and is not math.
_STASH_MARKERS = ("\x02", "\x03")
_WORD_AFTER_CLOSING_DOLLAR = re.compile(r"\w")


class InvalidMath(ValueError):
    """TeX that does not make a formula; the message says why."""


@dataclass(frozen=True)
class MathSpan:
    """Math found in a text: ``tex`` without its delimiters, and where the
    whole of it, delimiters included, ends."""

    tex: str
    display: bool
    end: int


@dataclass(frozen=True)
class MathProblem:
    """Math that could not be rendered: as written (delimiters included) and why."""

    written: str
    message: str


# --- finding math in text ---------------------------------------------------------


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` is escaped by a backslash (an odd
    number of them right before it)."""
    count = 0
    while index - count > 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _closing(text: str, start: int, delimiter: str) -> int:
    """The index of the first unescaped ``delimiter`` at or after ``start``
    outside braces (``\\text{a $b$}`` holds math of its own), or -1."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char in "{}" and not _escaped(text, index):
            depth += 1 if char == "{" else -1
        elif depth <= 0 and text.startswith(delimiter, index) and not _escaped(text, index):
            # For \) and \], the delimiter's own backslash must not be escaped.
            return index
        index += 1
    return -1


def find_math(text: str, start: int) -> MathSpan | None:
    """The math whose opening delimiter is at ``start`` in ``text``, or None
    if what is there is not math by the rules above."""
    if _escaped(text, start):
        return None
    for opening, closing, display in (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False)):
        if text.startswith(opening, start):
            body_start = start + len(opening)
            end = _closing(text, body_start, closing)
            if end < 0:
                return None
            tex = text[body_start:end]
            # Pandoc: display math may be spaced from its delimiters, but has no blank line.
            if not tex.strip() or re.search(r"\n[ \t]*\n", tex):
                return None
            return _checked(MathSpan(tex.strip(), display, end + len(closing)))
    if not text.startswith("$", start):
        return None
    body_start = start + 1
    if body_start >= len(text) or text[body_start].isspace():
        return None
    end = _closing(text, body_start, "$")
    if end < 0 or text[end - 1].isspace() or text.startswith("$$", end):
        return None
    after = text[end + 1 : end + 2]
    if after and _WORD_AFTER_CLOSING_DOLLAR.match(after):
        return None
    return _checked(MathSpan(text[body_start:end], False, end + 1))


def _checked(span: MathSpan) -> MathSpan | None:
    return None if any(marker in span.tex for marker in _STASH_MARKERS) else span


# --- TeX to MathML --------------------------------------------------------------------


def to_mathml(tex: str, display: bool) -> str:
    """``tex`` as a ``<math>`` element for an HTML page; raises InvalidMath."""
    from latex2mathml.converter import convert_to_element

    _check_braces(tex)
    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - the library raises its own and IndexError/KeyError alike
        raise InvalidMath(_library_message(exc)) from None
    for element in root.iter():
        if element.tag in _TOKENS and len(element):
            _flatten(element)
        text = (element.text or "").strip()
        if element.tag in ("mi", "mo") and text.startswith("\\") and len(text) > 1:
            raise InvalidMath(f"unknown command {text}")
        wanted = _CHILDREN.get(element.tag)
        if wanted is not None and len(element) != wanted:
            raise InvalidMath(f"{_described(element.tag)} needs {wanted} arguments")
    attributes = {"alttext": tex}
    if display:
        attributes["display"] = "block"
    return _serialised(root, attributes)


def _flatten(token: etree.Element) -> None:
    """The token element with its text only: \\mathop{\\mathrm{lim}} is the operator "lim"."""
    token.text = "".join(token.itertext())
    for child in list(token):
        token.remove(child)


def _check_braces(tex: str) -> None:
    depth = 0
    for index, char in enumerate(tex):
        if char in "{}" and not _escaped(tex, index):
            depth += 1 if char == "{" else -1
            if depth < 0:
                raise InvalidMath("a } without its {")
    if depth:
        raise InvalidMath("a { without its }")


def _library_message(exc: Exception) -> str:
    # latex2mathml's exceptions carry no message: their class names say it.
    name = type(exc).__name__.removesuffix("Error")
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return f"{words}: {exc}" if str(exc) else words


def _described(tag: str) -> str:
    return {"mfrac": "a fraction", "mroot": "a root"}.get(tag, "a superscript or subscript")


def _serialised(root: etree.Element, math_attributes: dict[str, str]) -> str:
    """HTML for the tree: every element closed by an end tag (the summaries'
    HTML parser, like a browser, reads ``<mi/>`` as an unclosed element), and
    characters instead of numeric references. Every attribute latex2mathml
    writes below ``<math>`` is one the Nu HTML checker accepts
    (tests/test_math.py checks a corpus of constructs); ``<math>`` gets its own:
    no ``xmlns``, which HTML does not need."""
    out: list[str] = []

    def write(element: etree.Element, attributes: dict[str, str]) -> None:
        out.append(f"<{element.tag}")
        for name, value in attributes.items():
            out.append(f' {name}="{html.escape(value, quote=True)}"')
        out.append(">")
        out.append(_text(element.text))
        for child in element:
            write(child, dict(sorted(child.attrib.items())))
            out.append(_text(child.tail))
        out.append(f"</{element.tag}>")

    write(root, math_attributes)
    return "".join(out)


def _text(text: str | None) -> str:
    if not text:
        return ""
    return html.escape(_NUMERIC_REFERENCE.sub(lambda m: chr(int(m.group(1), 16)), text), quote=False)


# --- the Markdown extension -----------------------------------------------------------


class _Renderer:
    """Turns found math into HTML for the Markdown converter's stash, and
    keeps the problems of the document being converted."""

    def __init__(self, md: Markdown) -> None:
        self.md = md
        self.problems: list[MathProblem] = []

    def stash(self, span: MathSpan, written: str) -> str:
        try:
            rendered = to_mathml(span.tex, span.display)
        except InvalidMath as exc:
            self.problems.append(MathProblem(written, str(exc)))
            # Shown as written, so the reader sees what the author typed.
            rendered = f'<span class="math-error">{html.escape(written, quote=False)}</span>'
        return self.md.htmlStash.store(rendered)


class _InlineMath(InlineProcessor):
    def __init__(self, renderer: _Renderer) -> None:
        super().__init__(r"\$\$?|\\[(\[]", renderer.md)
        self.renderer = renderer

    def handleMatch(self, m: re.Match[str], data: str):
        span = find_math(data, m.start())
        if span is None:
            return None, None, None
        return self.renderer.stash(span, data[m.start() : span.end]), m.start(), span.end


class _DisplayMathBlock(BlockProcessor):
    """A paragraph that is display math and nothing else becomes a ``div``
    rather than a paragraph holding one formula."""

    def __init__(self, renderer: _Renderer) -> None:
        super().__init__(renderer.md.parser)
        self.renderer = renderer

    def _span(self, block: str) -> MathSpan | None:
        block = block.strip()
        if not block.startswith(("$$", "\\[")):
            return None
        span = find_math(block, 0)
        return span if span is not None and span.end == len(block) else None

    def test(self, parent, block) -> bool:
        return self._span(block) is not None

    def run(self, parent, blocks) -> None:
        block = blocks.pop(0)
        span = self._span(block)
        wrapper = etree.SubElement(parent, "div", {"class": "math-display"})
        wrapper.text = self.renderer.stash(span, block.strip())


class MathExtension(Extension):
    """Registers the math patterns on a converter; ``problems`` lists the math
    of the last converted document that could not be rendered."""

    def extendMarkdown(self, md: Markdown) -> None:
        self._renderer = _Renderer(md)
        md.registerExtension(self)
        # \$ is a literal dollar, as in Pandoc.
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")
        # After code spans (190), so code is never math, and before escapes
        # (180), which would take \( and \[ as escaped brackets.
        md.inlinePatterns.register(_InlineMath(self._renderer), "math", 185)
        # Before headings (70), lists and the rest, which could read a line of
        # a formula as their own; after indented code (80).
        md.parser.blockprocessors.register(_DisplayMathBlock(self._renderer), "math_display", 75)

    def reset(self) -> None:
        self._renderer.problems = []

    @property
    def problems(self) -> list[MathProblem]:
        return self._renderer.problems

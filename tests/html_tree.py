"""A small HTML tree built on the standard library's parser, for tests that
check pages by structure rather than by bytes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    # Every attribute as written, duplicates included (a browser keeps the first).
    attr_list: list[tuple[str, str]] = field(default_factory=list)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def classes(self) -> list[str]:
        return (self.get("class") or "").split()

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter(tag)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with ``tag`` whose attributes equal ``attrs`` (``class_`` for class)."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [e for e in self.iter(tag) if all(e.get(k) == v for k, v in wanted.items())]

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def with_class(self, name: str, tag: str | None = None) -> list[Element]:
        return [e for e in self.iter(tag) if name in e.classes()]

    def text(self) -> str:
        """All text below this element, with whitespace collapsed."""
        return " ".join("".join(self._texts()).split())

    def raw_text(self) -> str:
        """Text exactly as parsed (for <script> contents)."""
        return "".join(self._texts())

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child._texts()

    def ids(self) -> set[str]:
        """Every fragment target on the page: id attributes and <a name>."""
        found = {e.get("id") for e in self.iter() if e.get("id") is not None}
        found |= {e.get("name") for e in self.iter("a") if e.get("name") is not None}
        return found


@dataclass(eq=False)
class Document(Element):
    """The root of a parsed page, with the nesting problems the parser met."""

    errors: list[str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Document("#document", {})
        self.stack: list[Element] = [self.root]
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        pairs = [(name, value if value is not None else "") for name, value in attrs]
        first: dict[str, str] = {}
        for name, value in pairs:
            first.setdefault(name, value)
        element = Element(tag, first, pairs, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                if depth != len(self.stack) - 1:
                    unclosed = [e.tag for e in self.stack[depth + 1 :]]
                    self.errors.append(f"</{tag}> closes unclosed {unclosed}")
                del self.stack[depth:]
                return
        self.errors.append(f"stray </{tag}>")

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Document:
    """Parse a page or fragment into a tree under a ``#document`` root."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    builder.root.errors = builder.errors + [f"unclosed <{e.tag}>" for e in builder.stack[1:]]
    return builder.root


def meta_content(root: Element, key: str) -> str | None:
    """The content of <meta name=key> or <meta property=key>."""
    for meta in root.iter("meta"):
        if key in (meta.get("name"), meta.get("property")):
            return meta.get("content")
    return None


def canonical_url(root: Element) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").split():
            return link.get("href")
    return None

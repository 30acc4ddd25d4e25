"""Follow the links of a built site as a static host would serve it under its
base_url, written independently of blog/paths.py so the two check each other."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from .html_tree import Element, meta_content, parse_html

ATOM = "{http://www.w3.org/2005/Atom}"
# Attributes that make a browser fetch or navigate to a URL.
URL_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "script": ("src",),
    "img": ("src",),
    "source": ("src",),
    "iframe": ("src",),
    "form": ("action",),
}
# <meta> tags whose content is a URL of this site.
URL_METAS = ("og:url", "og:image", "twitter:image")


@dataclass(frozen=True)
class Link:
    source: str  # the output file the link is in
    url: str  # absolute, as resolved against the page's own URL


class Site:
    """A built output folder served at ``base_url``."""

    def __init__(self, output: Path, base_url: str) -> None:
        self.output = output
        self.base_url = base_url
        self.base = urlsplit(base_url)

    def files(self, suffix: str = "") -> list[str]:
        return sorted(
            p.relative_to(self.output).as_posix()
            for p in self.output.rglob("*")
            if p.is_file() and p.name.endswith(suffix)
        )

    def url_of(self, relative: str) -> str:
        """The URL a file is served at; ``x/index.html`` is served as ``x/``."""
        path = (
            relative.removesuffix("index.html")
            if relative.endswith("/index.html") or relative == "index.html"
            else relative
        )
        return self.base_url + quote(path)

    def is_internal(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc == self.base.netloc

    def file_for(self, url: str) -> str | None:
        """The output file serving an absolute URL of this host, or None when
        nothing would be served (outside the base path, or no such file)."""
        path = unquote(urlsplit(url).path)
        base_path = self.base.path if self.base.path.endswith("/") else self.base.path + "/"
        if not path.startswith(base_path):
            return None
        relative = path[len(base_path) :]
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        return relative if (self.output / relative).is_file() else None

    def page(self, relative: str) -> Element:
        return parse_html((self.output / relative).read_text(encoding="utf-8"))

    def html_links(self, relative: str, root: Element | None = None, base: str | None = None) -> Iterator[Link]:
        """Every URL a page (or a fragment of HTML from a feed) points to."""
        root = root if root is not None else self.page(relative)
        base = base or self.url_of(relative)
        for tag, attributes in URL_ATTRIBUTES.items():
            for element in root.iter(tag):
                for attribute in attributes:
                    value = element.get(attribute)
                    if value is not None:
                        yield Link(relative, urljoin(base, value.strip()))
        for key in URL_METAS:
            value = meta_content(root, key)
            if value:
                yield Link(relative, urljoin(base, value))
        for meta in root.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "refresh":
                target = (meta.get("content") or "").split("url=", 1)[-1]
                yield Link(relative, urljoin(base, target.strip()))

    def feed_links(self, relative: str) -> Iterator[Link]:
        """Links in an RSS or Atom feed, and in the HTML of its entries; the
        HTML's relative links resolve against the entry's own link."""
        root = ET.parse(self.output / relative).getroot()
        feed_url = self.url_of(relative)
        if root.tag == "rss":
            channel = root.find("channel")
            yield Link(relative, channel.findtext("link"))
            for self_link in channel.iter(f"{ATOM}link"):
                yield Link(relative, self_link.get("href"))
            for item in channel.iter("item"):
                link = item.findtext("link")
                yield Link(relative, link)
                yield from self.html_links(relative, parse_html(item.findtext("description") or ""), link)
        else:
            for link in root.iter(f"{ATOM}link"):
                yield Link(relative, urljoin(feed_url, link.get("href")))
            for entry in root.iter(f"{ATOM}entry"):
                alternate = next(
                    link.get("href")
                    for link in entry.iter(f"{ATOM}link")
                    if link.get("rel", "alternate") == "alternate"
                )
                for field in ("summary", "content"):
                    html = entry.findtext(f"{ATOM}{field}") or ""
                    yield from self.html_links(relative, parse_html(html), alternate)

"""blog/build/links.LinkChecker.resolve: where a link leads and why it is
broken, the same whether the link is joined by hand (a plain path from the
site's root) or by urljoin."""

from __future__ import annotations

from urllib.parse import urljoin

from hypothesis import given
from hypothesis import strategies as st

from blog.build.links import LinkChecker, page_url
from blog.siteconfig import SiteConfig

FILES = {"index.html", "a/index.html", "a/b/index.html", "tags/日本/index.html", "feed.xml", "img/x.png"}
# Pieces of links: the site's own paths, and every character urljoin and
# urlsplit treat specially (dot segments, hosts, queries, fragments,
# parameters, blanks, controls, escapes).
PIECES = [
    "/",
    "a",
    "b",
    "a/",
    "b/",
    ".",
    "..",
    "/.",
    "/..",
    "//",
    "?",
    "#",
    ";",
    "%2e",
    "%E6%97%A5",
    "日本",
    " ",
    "\t",
    "\n",
    "\x00",
    "\\",
    "index.html",
    "feed.xml",
    "img/x.png",
    "sub/",
    "path/",
    "tags/",
    ":",
    "http:",
    "HTTPS:",
    "example.org",
    "other.org",
    "mailto:x",
]


def checker(base_url: str) -> LinkChecker:
    """A checker of a site at ``base_url`` with the files FILES, whose home page
    and ``/a/`` have the ids named here."""
    ids = {"a/index.html": frozenset({"top"}), "index.html": frozenset()}
    return LinkChecker(SiteConfig(base_url=base_url), FILES, ids.get)


def by_urljoin(check: LinkChecker, base: str, link: str) -> tuple[str, str]:
    target = urljoin(base, link)
    return target, check._broken(target)


@given(
    st.sampled_from(["https://example.org/", "https://example.org/sub/path/", "HTTP://Example.org/sub/"]),
    st.sampled_from(["index.html", "a/index.html", "a/b/index.html", "feed.xml"]),
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
)
def test_a_link_leads_where_urljoin_says(base_url, page, link):
    check = checker(base_url)
    base = page_url(check.site, page)
    assert check.resolve(base, link) == by_urljoin(check, base, link)


def test_plain_paths_are_checked():
    check = checker("https://example.org/sub/path/")
    base = page_url(check.site, "a/index.html")
    assert check.resolve(base, "/sub/path/a/") == ("https://example.org/sub/path/a/", "")
    assert check.resolve(base, "/sub/path/tags/%E6%97%A5%E6%9C%AC/")[1] == ""
    assert check.resolve(base, "/sub/path/gone/")[1] == "which the site does not have"
    assert check.resolve(base, "/elsewhere/")[1] == "which is outside the site (it is published under /sub/path/)"
    assert check.resolve(base, "/sub/path/a")[1] == ""  # a folder without its slash
    assert check.resolve(base, "/sub/path/a/#top")[1] == ""
    assert check.resolve(base, "/sub/path/a/#nowhere")[1] == "but /a/index.html has no element with id 'nowhere'"

"""Large and odd input builds, and its URLs lead to files: a 5 MB post, a post
with 500 tags, and titles, tags and slugs in Japanese, Arabic and emoji."""

from __future__ import annotations

import random
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import Build, run_build
from .html_tree import parse_html

pytestmark = pytest.mark.slow

BASE_URL = "https://large.example/"
HUGE_BYTES = 5 * 1024 * 1024
TAG_COUNT = 500
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# file name: (front matter, title, slug, tags); slugs without a slug key come from the file name.
ODD_POSTS = {
    "2024-02-01-日本語の記事.md": (
        'title: "日本語のタイトル"\ntags: [日本語, 東京]',
        "日本語のタイトル",
        "日本語の記事",
        ["日本語", "東京"],
    ),
    "2024-02-02-arabic.md": (
        'title: "مرحبا بالعالم"\nslug: "مرحبا-بالعالم"\ntags: [عربي, "لغة عربية"]',
        "مرحبا بالعالم",
        "مرحبا-بالعالم",
        ["عربي", "لغة عربية"],
    ),
    "2024-02-03-emoji.md": (
        'title: "Party 🎉🎈"\nslug: "🎉-party"\ntags: ["🎉", "café ☕"]',
        "Party 🎉🎈",
        "🎉-party",
        ["🎉", "café ☕"],
    ),
    # As a Mac writes the name: "é" decomposed; the slug is the composed form.
    unicodedata.normalize("NFD", "2024-02-04-café-crème.md"): (
        'title: "Café crème"',
        "Café crème",
        "café-crème",
        [],
    ),
}


def huge_body() -> tuple[str, int]:
    """About 5 MB of Markdown paragraphs; returns (text, number of paragraphs)."""
    paragraphs, size = [], 0
    while size < HUGE_BYTES:
        number = len(paragraphs)
        text = (
            f"Paragraph {number}: some *emphasis*, some `code`, a [link](https://example.com/{number}) "
            f"and plain words to fill the line. " * 5
        ).strip()
        paragraphs.append(text)
        size += len(text.encode()) + 2
    return "\n\n".join(paragraphs), len(paragraphs)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> tuple[Build, int]:
    root = tmp_path_factory.mktemp("large")
    content = root / "content"
    (content / "posts").mkdir(parents=True)
    (content / "site.toml").write_text(f'title = "Large"\nbase_url = "{BASE_URL}"\nposts_per_page = 5\n')
    body, paragraphs = huge_body()
    huge = f'---\ntitle: "A very long post"\ndate: 2024-01-01\n---\n{body}\n'
    (content / "posts" / "2024-01-01-huge.md").write_text(huge, encoding="utf-8")
    assert len(huge.encode()) >= HUGE_BYTES
    tags = ", ".join(f"tag-{number:03d}" for number in range(TAG_COUNT))
    (content / "posts" / "2024-01-02-many-tags.md").write_text(
        f'---\ntitle: "Five hundred tags"\ntags: [{tags}]\n---\nTagged many times.\n', encoding="utf-8"
    )
    for name, (front, _title, _slug, _tags) in ODD_POSTS.items():
        (content / "posts" / name).write_text(f"---\n{front}\n---\nText.\n", encoding="utf-8")
    build = run_build(content, root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return build, paragraphs


def file_for(build: Build, href: str) -> Path | None:
    """The output file a site-relative or absolute link of this site is served from."""
    parts = urlsplit(href)
    if parts.netloc and parts.netloc != urlsplit(BASE_URL).netloc:
        return None
    path = unquote(parts.path).lstrip("/")
    path = path + "index.html" if path == "" or path.endswith("/") else path
    target = build.output / path
    return target if target.is_file() else None


def links(build: Build, relative: str) -> dict[str, str]:
    """Link text -> href of every <a> on a page."""
    page = parse_html((build.output / relative).read_text(encoding="utf-8"))
    return {a.text(): a.get("href") for a in page.iter("a") if a.get("href")}


def test_the_5_mb_post_is_rendered_whole(large):
    build, paragraphs = large
    target = file_for(build, links(build, "archive/index.html")["A very long post"])
    assert target is not None
    page = parse_html(target.read_text(encoding="utf-8"))
    texts = [p.text() for p in page.iter("p") if p.text().startswith("Paragraph ")]
    assert len(texts) == paragraphs
    assert texts[0].startswith("Paragraph 0:") and texts[-1].startswith(f"Paragraph {paragraphs - 1}:")


def test_every_one_of_500_tags_has_a_page(large):
    build, _paragraphs = large
    post = file_for(build, links(build, "index.html")["Five hundred tags"])
    assert post is not None
    page = parse_html(post.read_text(encoding="utf-8"))
    tag_links = {
        a.text(): a.get("href") for a in page.iter("a") if (a.get("href") or "").rstrip("/").count("/tags/") == 1
    }
    wanted = {f"tag-{number:03d}" for number in range(TAG_COUNT)}
    assert wanted <= tag_links.keys()
    targets = {name: file_for(build, tag_links[name]) for name in wanted}
    assert [name for name, target in targets.items() if target is None] == []
    # Each tag page lists the post: checked on a seeded sample, parsing all 500 adds nothing.
    for name in random.Random(500).sample(sorted(wanted), 10):
        listed = links(build, targets[name].relative_to(build.output).as_posix())
        assert "Five hundred tags" in listed, name
    assert len(list((build.output / "tags").glob("tag-*/index.html"))) == TAG_COUNT


@pytest.mark.parametrize("name", list(ODD_POSTS), ids=["japanese", "arabic", "emoji", "nfd-file-name"])
def test_non_latin_titles_tags_and_slugs_build_and_resolve(large, name):
    build, _paragraphs = large
    _front, title, slug, tags = ODD_POSTS[name]
    href = links(build, "archive/index.html")[title]
    assert unquote(urlsplit(href).path).rstrip("/").endswith("/" + slug)
    target = file_for(build, href)
    assert target is not None, href
    page = parse_html(target.read_text(encoding="utf-8"))
    assert page.find("h1").text() == title
    on_page = {a.text(): a.get("href") for a in page.iter("a")}
    for tag in tags:
        tag_page = file_for(build, on_page[tag])
        assert tag_page is not None, (tag, on_page[tag])
        tag_html = parse_html(tag_page.read_text(encoding="utf-8"))
        assert tag in tag_html.find("h1").text()
        assert title in {a.text() for a in tag_html.iter("a")}


def test_sitemap_urls_are_escaped_and_resolve(large):
    build, _paragraphs = large
    locations = [loc.text for loc in ET.parse(build.output / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert len(locations) >= len(ODD_POSTS) + 2
    for url in locations:
        assert url.isascii(), f"not percent-encoded: {url}"
        assert file_for(build, url) is not None, url

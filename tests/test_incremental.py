"""An incremental build writes exactly the tree a clean build writes.

Each Hypothesis example starts from ``tests/fixtures/incremental/`` and applies
every kind of change an author makes (in an order and with details Hypothesis
picks), then a few more of any kind. After each change the site is built
twice, side by side: incrementally (the same cache and output folder all
along) and from scratch (a fresh cache and output folder). The two trees must
hold the same files with the same bytes, the ``.blog-output`` marker included.

The incremental side must also keep unchanged files untouched: a file whose
bytes did not change keeps its modification time; a build after no change
renders nothing and leaves every file as it was; a body edit leaves the
other posts' pages alone.

The builds run from a copy of the project, so a change may also do what a
user does to the project itself (tests/customisations.py): show whole bodies
on the home and tag pages, add a sidebar of the newest posts or a tag cloud,
write a template tag library or a context processor that queries posts, add
a route and its view, and remove one of these again. Each stays in force
while later steps change the content it shows. While one shows other posts'
data on every page, a body edit may change those pages too.

The incremental builds run with two worker processes and, at most steps, the
pool's threshold lowered to one task (BLOG_POOL_MIN_TASKS), so that pages
render in forked workers; the clean builds, this small site's reference, render
in the build's own process.

Two examples (about 130 builds) run by default, always the same ones;
BLOG_INCREMENTAL_EXAMPLES=20 searches deeper.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from blog.build.workers import MIN_TASKS_FOR_POOL, POOL_MIN_TASKS_VARIABLE, WORKERS_VARIABLE

from . import customisations
from .conftest import FIXTURES, build_command, build_env, copy_project
from .customisations import UserProject
from .html_tree import Element, parse_html
from .image_files import image_size, make_image
from .output_trees import Entry, rewritten_unchanged_files, snapshot, tree_differences

BASE = FIXTURES / "incremental"
BUILD_TIMEOUT = 300  # seconds
# Extra changes of any kind after every kind has had its turn.
EXTRA_CHANGES = 6
# The incremental builds' worker processes, and the pool's threshold at a step:
# one task (pages render in the workers), or the default (this small site renders
# in the build's own process).
WORKERS = 2
POOL_THRESHOLDS = [1, MIN_TASKS_FOR_POOL]

TITLES = ["Fog at noon", "Nets & ropes", "“Quoted” weather", "Café au port", "<b>not bold</b>", "Low tide"]
TAGS = ["Python", "python", "Django", "notes", "Rust", "web dev", "café", "Harbour"]
# "Harbour log" is the fixture's series; "harbour log" is the same series spelt otherwise.
SERIES = ["Harbour log", "Tide notes", "harbour log"]
TIME_ZONES = ["UTC", "Asia/Tokyo", "America/New_York"]
# Dates after any build, which every build leaves out.
FUTURE_DATES = ["2099-01-01 12:00", "2098-07-04 08:00"]
# Dates where the time zone decides the month or the year of the address.
EDGE_DATES = ["2024-04-30 23:45", "2024-01-01 00:10", "2023-12-31 22:00"]
DATES = st.one_of(
    st.sampled_from(EDGE_DATES + FUTURE_DATES),
    st.builds(
        "{}-{:02d}-{:02d} {:02d}:{:02d}".format,
        st.sampled_from([2023, 2024]),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.sampled_from([0, 30]),
    ),
)
# Templates edit_template appends to (relative to the project).
TEMPLATES = ["templates/includes/post_meta.html", "templates/base.html", "templates/blog/index.html"]
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
POST_PAGE = re.compile(r"^\d{4}/\d{2}/([^/]+)/index\.html$")
RENDERED = re.compile(r"(\d+) pages rendered")
MARKER = ".blog-output"


# --- the content folder, as the test sees it ---------------------------------


def split_source(text: str) -> tuple[dict, str]:
    """Front matter and body of a fixture source (YAML between --- lines)."""
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def join_source(front: dict, body: str) -> str:
    # JSON values are valid YAML flow values: quoted strings, lists, true/false.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def slug_of(name: str) -> str:
    """The slug a post file name gives (none of the fixture posts sets one)."""
    return DATE_PREFIX.sub("", PurePosixPath(name).stem)


def date_in_name(name: str) -> str:
    """The YYYY-MM-DD a post file name starts with, or ""."""
    match = DATE_PREFIX.match(PurePosixPath(name).name)
    return match.group()[:10] if match else ""


@dataclass
class Content:
    """A content folder and what the test wrote into it."""

    root: Path
    posts: dict[str, tuple[dict, str]] = field(default_factory=dict)  # name under posts/ -> (front, body)
    pages: dict[str, tuple[dict, str]] = field(default_factory=dict)
    site: dict = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    # The files of the page bundle posts/harbour-walk/ (issue 16), and
    # whether posts/lighthouse/index.md sets its own path.
    bundle_files: list[str] = field(default_factory=list)
    lighthouse_path: bool = False
    serial: int = 0

    @classmethod
    def from_base(cls, root: Path) -> Content:
        shutil.copytree(BASE, root)
        content = cls(root)
        for kind, into in (("posts", content.posts), ("pages", content.pages)):
            for path in sorted((root / kind).rglob("*.md")):
                if path.name == "index.md":
                    continue  # a page bundle: changed only by change_bundle
                into[path.relative_to(root / kind).as_posix()] = split_source(path.read_text(encoding="utf-8"))
        content.site = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
        content.images = sorted(p.relative_to(root).as_posix() for p in (root / "images").iterdir())
        content.bundle_files = sorted(p.name for p in (root / BUNDLE).iterdir() if p.name != "index.md")
        return content

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def write_post(self, name: str, front: dict, body: str) -> None:
        self.posts[name] = (front, body)
        self.write_file(f"posts/{name}", join_source(front, body))

    def remove_post(self, name: str) -> None:
        del self.posts[name]
        (self.root / "posts" / name).unlink()

    def write_page(self, name: str, front: dict, body: str) -> None:
        self.pages[name] = (front, body)
        self.write_file(f"pages/{name}", join_source(front, body))

    def remove_page(self, name: str) -> None:
        del self.pages[name]
        (self.root / "pages" / name).unlink()

    def write_site(self) -> None:
        lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in self.site.items()]
        self.write_file("site.toml", "\n".join(lines) + "\n")

    def write_file(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --- one change of each kind ---------------------------------------------------
# Each takes the content folder, the project copy and Hypothesis's data, makes
# one change and returns a Step saying what it did. Hypothesis's first, simplest
# example takes the first choice of every list, so lists of variants start with
# the riskiest one (a new time zone, a tag renamed across posts, ...).


@dataclass
class Step:
    description: str
    # Set when the change touched only one post's body: that post's slug.
    body_edit_of: str | None = None
    nothing_changed: bool = False


def pick_post(content: Content, data, label: str = "post") -> str:
    return data.draw(st.sampled_from(sorted(content.posts)), label=label)


def new_post_name(data, slug: str, front: dict, old_name: str = "") -> str:
    """A file name for ``slug``; a post dated only by its file name keeps that date."""
    style = data.draw(st.sampled_from(["plain", "dated", "folder"]), label="file name style")
    if "date" not in front:
        style = "dated"
    if style == "dated":
        return f"{front.get('date', date_in_name(old_name))[:10]}-{slug}.md"
    if style == "folder":
        return f"notes/{slug}.markdown"
    return f"{slug}.md"


def add_post(content, project, data) -> Step:
    serial = content.next_serial()
    front = {
        "title": data.draw(st.sampled_from(TITLES), label="title"),
        "date": data.draw(DATES, label="date"),
        "tags": data.draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True), label="tags"),
    }
    if data.draw(st.booleans(), label="draft"):
        front["draft"] = True
    series = data.draw(st.sampled_from([None, *SERIES]), label="series")
    if series:
        front["series"] = series
    name = new_post_name(data, f"added-{serial}", front)
    content.write_post(name, front, f"Added post number {serial}.\n\nIts second paragraph.\n")
    return Step(f"add post {name} {front}")


def edit_body(content, project, data) -> Step:
    name = pick_post(content, data)
    front, body = content.posts[name]
    serial = content.next_serial()
    what = data.draw(st.sampled_from(["end", "first paragraph", "headings"]), label="body edit")
    if what == "first paragraph":
        rest = body.split("\n\n", 1)[1] if "\n\n" in body else ""
        body = f"A rewritten opening, edit {serial}.\n\n{rest}"
    elif what == "headings":
        # Three headings give the post a table of contents.
        headings = "".join(f"\n\n## Part {part} of edit {serial}\n\nMore." for part in "ABC")
        body = body.rstrip("\n") + headings + "\n"
    else:
        body = body.rstrip("\n") + f"\n\nA paragraph added at the end, edit {serial}.\n"
    content.write_post(name, front, body)
    return Step(f"edit body of {name} ({what})", body_edit_of=slug_of(name))


def add_link(content, project, data) -> Step:
    """A link that works or is broken depending on the other steps: to a tag's
    page (gone when no visible post has the tag), a page, or an element id."""
    name = pick_post(content, data)
    front, body = content.posts[name]
    tag_pages = [f"/tags/{slug}/" for slug in ("python", "django", "notes", "rust", "web-dev", "harbour")]
    target = data.draw(st.sampled_from([*tag_pages, "/about/", "/about/#no-such-id", "/no-such-page/"]), label="link")
    content.write_post(name, front, body.rstrip("\n") + f"\n\nSee [elsewhere]({target}).\n")
    return Step(f"link {name} to {target}")


def delete_post(content, project, data) -> Step:
    name = pick_post(content, data)
    content.remove_post(name)
    return Step(f"delete post {name}")


def rename_post(content, project, data) -> Step:
    old = pick_post(content, data)
    front, body = content.posts[old]
    serial = content.next_serial()
    keep_slug = data.draw(st.booleans(), label="keep the slug")
    slug = slug_of(old) if keep_slug else f"{slug_of(old)}-r{serial}"
    new = new_post_name(data, slug, front, old)
    if new == old or new in content.posts:
        # A post dated only by its file name keeps the date there.
        dated = "" if "date" in front else f"{date_in_name(old)}-"
        new = f"moved-{serial}/{dated}{slug}.md"
    content.remove_post(old)
    content.write_post(new, front, body)
    return Step(f"rename post {old} -> {new}")


def change_title(content, project, data) -> Step:
    name = pick_post(content, data)
    front, body = content.posts[name]
    title = data.draw(st.sampled_from([t for t in TITLES if t != front["title"]]), label="title")
    content.write_post(name, {**front, "title": title}, body)
    return Step(f"retitle {name} to {title!r}")


def change_date(content, project, data) -> Step:
    name = pick_post(content, data)
    current = current_date(content, name)
    taken = sorted({front["date"] for front, _ in content.posts.values() if "date" in front} - {current})
    how = data.draw(
        st.sampled_from(["to another month", "within its month", "to another post's date"]), label="re-date"
    )
    if how == "to another post's date" and taken:
        # Posts with the same date are listed by slug.
        dates = st.sampled_from(taken)
    elif how == "within its month":
        dates = st.builds("{}-{:02d} {:02d}:15".format, st.just(current[:7]), st.integers(1, 28), st.integers(0, 23))
    else:
        dates = DATES.filter(lambda date: date[:7] != current[:7])
    return set_date(content, data, name, dates)


def date_into_future(content, project, data) -> Step:
    past = sorted(name for name in content.posts if current_date(content, name) < min(FUTURE_DATES))
    name = data.draw(st.sampled_from(past or sorted(content.posts)), label="post")
    return set_date(content, data, name, st.sampled_from(FUTURE_DATES))


def current_date(content: Content, name: str) -> str:
    return content.posts[name][0].get("date") or date_in_name(name)


def set_date(content: Content, data, name: str, dates) -> Step:
    front, body = content.posts[name]
    current = current_date(content, name)
    date = data.draw(dates.filter(lambda date: date != current), label="date")
    content.write_post(name, {**front, "date": date}, body)
    return Step(f"re-date {name} from {current} to {date}")


def change_tags(content, project, data) -> Step:
    how = data.draw(st.sampled_from(["rename", "remove", "add"]), label="tag change")
    used = sorted({tag for front, _ in content.posts.values() for tag in front.get("tags", [])})
    if how == "rename" and used:
        old = data.draw(st.sampled_from(used), label="tag")
        new = data.draw(
            st.sampled_from([t for t in TAGS if t != old] + [f"renamed {content.next_serial()}"]), label="new tag"
        )
        for name, (front, body) in sorted(content.posts.items()):
            tags = front.get("tags", [])
            if old in tags:
                renamed = list(dict.fromkeys(new if tag == old else tag for tag in tags))
                content.write_post(name, {**front, "tags": renamed}, body)
        return Step(f"rename tag {old!r} to {new!r} in every post")
    tagged = sorted(name for name, (front, _) in content.posts.items() if front.get("tags"))
    if how == "remove" and tagged:
        name = data.draw(st.sampled_from(tagged), label="post")
        front, body = content.posts[name]
        tag = data.draw(st.sampled_from(front["tags"]), label="tag")
        content.write_post(name, {**front, "tags": [t for t in front["tags"] if t != tag]}, body)
        return Step(f"remove tag {tag!r} from {name}")
    name = pick_post(content, data)
    front, body = content.posts[name]
    unused = [t for t in TAGS if t not in front.get("tags", [])] or [f"extra {content.next_serial()}"]
    tag = data.draw(st.sampled_from(unused), label="tag")
    tags = [*front.get("tags", []), tag]
    content.write_post(name, {**front, "tags": tags}, body)
    return Step(f"add tag {tag!r} to {name}")


def change_series(content, project, data) -> Step:
    """A post joins a series, moves to another, or leaves its series: every
    part's "Part N of M" changes."""
    name = pick_post(content, data)
    front, body = content.posts[name]
    current = front.get("series")
    series = data.draw(st.sampled_from([None, *SERIES]).filter(lambda s: s != current), label="series")
    front = {key: value for key, value in front.items() if key != "series"}
    if series:
        front["series"] = series
    content.write_post(name, front, body)
    return Step(f"series of {name}: {current!r} -> {series!r}")


def toggle_draft(content, project, data) -> Step:
    name = pick_post(content, data)
    front, body = content.posts[name]
    if front.get("draft"):
        front = {key: value for key, value in front.items() if key != "draft"}
    else:
        front = {**front, "draft": True}
    content.write_post(name, front, body)
    return Step(f"{'draft' if front.get('draft') else 'publish'} {name}")


def change_alias(content, project, data) -> Step:
    with_aliases = sorted(name for name, (front, _) in content.posts.items() if front.get("aliases"))
    if with_aliases and data.draw(st.booleans(), label="remove an alias"):
        name = data.draw(st.sampled_from(with_aliases), label="post")
        front, body = content.posts[name]
        alias = data.draw(st.sampled_from(front["aliases"]), label="alias")
        aliases = [a for a in front["aliases"] if a != alias]
        front = {key: value for key, value in front.items() if key != "aliases"}
        content.write_post(name, {**front, "aliases": aliases} if aliases else front, body)
        return Step(f"remove alias {alias} from {name}")
    name = pick_post(content, data)
    front, body = content.posts[name]
    serial = content.next_serial()
    alias = data.draw(
        st.sampled_from([f"/old/moved-{serial}/", f"/legacy/{serial}.html", f"/archive-{serial}"]), label="alias"
    )
    content.write_post(name, {**front, "aliases": [*front.get("aliases", []), alias]}, body)
    return Step(f"add alias {alias} to {name}")


def edit_template(content, project, data) -> Step:
    template = data.draw(st.sampled_from(TEMPLATES), label="template")
    # An HTML comment reaches the pages; a template comment changes no output byte.
    serial = content.next_serial()
    comment = data.draw(st.sampled_from([f"<!-- edit {serial} -->", f"{{# edit {serial} #}}"]), label="comment")
    project.append(template, comment + "\n")
    return Step(f"append {comment} to {template}")


def edit_site(content, project, data) -> Step:
    key = data.draw(
        st.sampled_from(["time_zone", "title", "base_url", "search", "pygments_style"]), label="site.toml key"
    )
    if key == "pygments_style":
        # A new code stylesheet, and every page's link to it (its URL carries
        # a digest of its rules).
        current = content.site.get(key, "default")
        value = data.draw(st.sampled_from([s for s in ("default", "vs", "friendly") if s != current]), label="style")
    elif key == "title":
        value = f"Harbour Log {content.next_serial()}"
    elif key == "base_url":
        # Under a sub-path, root-relative links (add_link's) get the sub-path
        # when the site has their target (blog/content/internal_links.py).
        urls = ["https://incremental.example/log/", "https://incremental.example/"]
        value = next(url for url in urls if url != content.site[key])
    elif key == "search":
        # Pagefind's index appears, stays or goes with the setting (the fixture
        # has no google_cse_id: without the key, the site uses Pagefind).
        current = content.site.get("search", "pagefind")
        value = data.draw(st.sampled_from([e for e in ("google", "both", "pagefind") if e != current]), label="search")
    else:
        value = data.draw(st.sampled_from([z for z in TIME_ZONES if z != content.site[key]]), label="time_zone")
    return set_site(content, key, value)


def change_posts_per_page(content, project, data) -> Step:
    current = content.site["posts_per_page"]
    value = data.draw(st.sampled_from([n for n in (1, 3, 2) if n != current]), label="posts_per_page")
    return set_site(content, "posts_per_page", value)


def set_site(content: Content, key: str, value) -> Step:
    content.site[key] = value
    content.write_site()
    return Step(f"site.toml: {key} = {value!r}")


def change_page(content, project, data) -> Step:
    how = data.draw(st.sampled_from(["add", "edit", "remove"]), label="page change")
    if how == "add" or not content.pages:
        serial = content.next_serial()
        name = f"colophon-{serial}.md"
        content.write_page(name, {"title": f"Colophon {serial}"}, "Set in the default fonts.\n")
        return Step(f"add page {name}")
    name = data.draw(st.sampled_from(sorted(content.pages)), label="page")
    if how == "remove":
        content.remove_page(name)
        return Step(f"remove page {name}")
    front, body = content.pages[name]
    content.write_page(name, {**front, "title": f"{front['title']} (edited)"}, body)
    return Step(f"retitle page {name}")


def change_image(content, project, data) -> Step:
    serial = content.next_serial()
    if data.draw(st.booleans(), label="add a new image"):
        relative = f"images/photo-{serial}.svg"
        content.images.append(relative)
    else:
        relative = data.draw(st.sampled_from(content.images), label="image")
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{serial}" height="10"><title>{serial}</title></svg>\n'
    (content.root / relative).write_text(svg, encoding="utf-8")
    return Step(f"write {relative}")


# Raster images a post shows get copies and a size in the post's HTML
# (blog/content/image_html.py): the post must follow its image file.
RASTER_WIDTHS = [300, 700, 1100]


def raster_images(content: Content) -> list[str]:
    return sorted(p.relative_to(content.root).as_posix() for p in (content.root / "images").glob("shot-*"))


def image_block(relative: str, caption: bool) -> str:
    return f"\n\n![Shot {relative}](/{relative})\n" + (f"*Caption of {relative}*\n" if caption else "")


def show_image(content: Content, name: str, relative: str, how: str) -> None:
    front, body = content.posts[name]
    if how == "cover":
        content.write_post(name, {**front, "image": relative}, body)
    else:
        content.write_post(name, front, body.rstrip("\n") + image_block(relative, how == "with caption"))


def add_raster_image(content, project, data) -> Step:
    serial = content.next_serial()
    relative = f"images/shot-{serial}.{data.draw(st.sampled_from(['png', 'jpg']), label='format')}"
    width = data.draw(st.sampled_from(RASTER_WIDTHS), label="width")
    make_image(content.root / relative, width, width * 2 // 3)
    name = pick_post(content, data)
    how = data.draw(st.sampled_from(["with caption", "plain", "cover"]), label="shown")
    show_image(content, name, relative, how)
    return Step(f"add {relative} ({width} wide) to {name} ({how})")


def resize_raster_image(content, project, data) -> Step:
    """The image's file changes, the posts that show it do not."""
    if not raster_images(content):
        return add_raster_image(content, project, data)
    relative = data.draw(st.sampled_from(raster_images(content)), label="image")
    current = image_size(content.root / relative)[0]
    width = data.draw(st.sampled_from([w for w in RASTER_WIDTHS if w != current]), label="width")
    make_image(content.root / relative, width, width // 2, colour=(90, 140, 60))
    if data.draw(st.booleans(), label="show it in another post too"):
        name = pick_post(content, data)
        show_image(content, name, relative, "plain")
        return Step(f"resize {relative} to {width} wide, and show it in {name}")
    return Step(f"resize {relative} to {width} wide")


def remove_raster_image(content, project, data) -> Step:
    """The image goes, with every mention of it."""
    if not raster_images(content):
        return add_raster_image(content, project, data)
    relative = data.draw(st.sampled_from(raster_images(content)), label="image")
    for name, (front, body) in sorted(content.posts.items()):
        cleaned = body.replace(image_block(relative, True), "").replace(image_block(relative, False), "")
        if front.get("image") == relative:
            front = {key: value for key, value in front.items() if key != "image"}
        if (front, cleaned) != content.posts[name]:
            content.write_post(name, front, cleaned)
    (content.root / relative).unlink()
    return Step(f"remove {relative} and every mention of it")


def edit_liquid_input(content, project, data) -> Step:
    """A file that Liquid in posts/crew-notes.md reads (liquid: true): the post
    is rendered again, though its own bytes did not change."""
    serial = content.next_serial()
    if data.draw(st.sampled_from(["include", "data"]), label="Liquid input") == "include":
        text = f"<p>{{{{ include.who }}}} signed, watch {{{{ site.data.crew.watch }}}} ({serial}).</p>\n"
        content.write_file("_includes/signature.html", text)
        return Step(f"edit _includes/signature.html ({serial})")
    content.write_file("_data/crew.yml", f"captain: Ada Marsh {serial}\nwatch: {serial}\n")
    return Step(f"edit _data/crew.yml ({serial})")


BUNDLE = "posts/harbour-walk"
LIGHTHOUSE = "posts/lighthouse/index.md"


def change_bundle(content, project, data) -> Step:
    """A page bundle's image added, edited or removed (its summary on list
    pages shows one); or the bundle it links to moved to a path of its own,
    which moves that post's files and changes the link in the first."""
    how = data.draw(st.sampled_from(["add", "edit", "remove", "move"]), label="bundle change")
    serial = content.next_serial()
    folder = content.root / BUNDLE
    if how == "move":
        content.lighthouse_path = not content.lighthouse_path
        source = content.root / LIGHTHOUSE
        front, body = split_source(source.read_text(encoding="utf-8"))
        if content.lighthouse_path:
            front["path"] = f"lights/the-lighthouse-{serial}"
        else:
            front.pop("path", None)
        source.write_text(join_source(front, body), encoding="utf-8")
        return Step(f"lighthouse path {front.get('path')}")
    if how == "remove" and content.bundle_files:
        name = data.draw(st.sampled_from(content.bundle_files), label="bundle file")
        content.bundle_files.remove(name)
        (folder / name).unlink()
        if name == BUNDLE_IMAGE:
            # A missing image is an error: the post stops showing it first.
            show_bundle_image(content, False)
        return Step(f"remove {BUNDLE}/{name}")
    if how == "edit" and content.bundle_files:
        name = data.draw(st.sampled_from(content.bundle_files), label="bundle file")
    else:
        name = BUNDLE_IMAGE if BUNDLE_IMAGE not in content.bundle_files else f"extra-{serial}.png"
        content.bundle_files.append(name)
    # A raster image, so the bundle's files go through the image pipeline
    # (size, resized copies published beside the post's URL).
    width = data.draw(st.sampled_from(RASTER_WIDTHS), label="width")
    make_image(folder / name, width, width // 2, colour=(serial % 200, 120, 80))
    if name == BUNDLE_IMAGE:
        show_bundle_image(content, True)
    return Step(f"write {BUNDLE}/{name} ({width} wide)")


BUNDLE_IMAGE = "slipway.png"
BUNDLE_IMAGE_MENTION = "![The slipway](slipway.png)"


def show_bundle_image(content: Content, shown: bool) -> None:
    source = content.root / BUNDLE / "index.md"
    text = source.read_text(encoding="utf-8")
    wanted = text.replace("the slipway " + BUNDLE_IMAGE_MENTION, "the slipway")
    if shown:
        wanted = wanted.replace("the slipway", "the slipway " + BUNDLE_IMAGE_MENTION, 1)
    if wanted != text:
        source.write_text(wanted, encoding="utf-8")


def no_change(content, project, data) -> Step:
    return Step("no change", nothing_changed=True)


# --- what a user changes in the project (tests/customisations.py) ---------------------
# Each adds one customisation to the project copy (a UserProject), or removes
# it when it is already in force; each draws where it goes and how it is made.


def customise(project: UserProject, customisation: customisations.Customisation) -> Step:
    if customisation.kind in project.active:
        removed = project.remove(customisation.kind)
        return Step(f"undo: {removed.description}")
    project.apply(customisation)
    return Step(customisation.description)


def show_bodies_in_summaries(content, project, data) -> Step:
    return customise(project, customisations.summaries_show_bodies())


def show_bodies_on_lists(content, project, data) -> Step:
    template = data.draw(st.sampled_from(customisations.LIST_TEMPLATES), label="list template")
    body_field = data.draw(st.sampled_from(customisations.BODY_FIELDS), label="body field")
    return customise(project, customisations.bodies_on_lists(template, body_field))


def add_newest_posts_sidebar(content, project, data) -> Step:
    via = data.draw(st.sampled_from(customisations.SIDEBAR_VIA), label="sidebar from")
    return customise(project, customisations.newest_posts_sidebar(via))


def add_tag_cloud(content, project, data) -> Step:
    template = data.draw(st.sampled_from(customisations.CLOUD_TEMPLATES), label="tag cloud in")
    return customise(project, customisations.tag_cloud(template))


def add_same_month_tag(content, project, data) -> Step:
    template = data.draw(st.sampled_from(customisations.MONTH_TEMPLATES), label="same month in")
    return customise(project, customisations.posts_from_same_month(template))


def add_related_on_lists(content, project, data) -> Step:
    template = data.draw(st.sampled_from(customisations.RELATED_TEMPLATES), label="related posts in")
    return customise(project, customisations.related_posts_on_lists(template))


def add_series_on_lists(content, project, data) -> Step:
    template = data.draw(st.sampled_from(customisations.SERIES_TEMPLATES), label="series in")
    return customise(project, customisations.series_on_lists(template))


def add_stats_route(content, project, data) -> Step:
    module = data.draw(st.sampled_from(customisations.STATS_MODULES), label="view in")
    return customise(project, customisations.post_counts_route(module))


def remove_customisation(content, project, data) -> Step:
    """Restores the files of one customisation in force; the others stay."""
    if not project.active:
        return Step("no customisation to remove", nothing_changed=True)
    kind = data.draw(st.sampled_from(sorted(project.active)), label="customisation")
    return Step(f"remove again: {project.remove(kind).description}")


CUSTOMISING = (
    show_bodies_in_summaries,
    show_bodies_on_lists,
    add_newest_posts_sidebar,
    add_tag_cloud,
    add_same_month_tag,
    add_related_on_lists,
    add_series_on_lists,
    add_stats_route,
)

# In the order of the first example (see above): the customisations first, so
# that the content changes after them change what they show; the sidebar,
# which shows other posts on every page, after the body edit, so that the
# example checks that a body edit leaves the other posts' pages alone.
CHANGES: dict[str, Callable[..., Step]] = {
    change.__name__: change
    for change in (
        show_bodies_in_summaries,
        show_bodies_on_lists,
        add_tag_cloud,
        add_same_month_tag,
        add_related_on_lists,
        add_series_on_lists,
        add_stats_route,
        add_post,
        edit_body,
        add_link,
        add_newest_posts_sidebar,
        delete_post,
        rename_post,
        change_title,
        change_date,
        date_into_future,
        change_tags,
        change_series,
        toggle_draft,
        change_alias,
        edit_template,
        edit_site,
        change_posts_per_page,
        change_page,
        change_image,
        add_raster_image,
        resize_raster_image,
        remove_raster_image,
        edit_liquid_input,
        change_bundle,
        no_change,
        remove_customisation,
    )
}
assert set(CUSTOMISING) <= set(CHANGES.values())


# --- builds and trees -----------------------------------------------------------


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Path:
    """A copy of the project to build from; its templates may be edited."""
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def user_project(project) -> UserProject:
    """The project copy, for tests that customise it. One for the session, as
    it remembers the original of every file it has touched: each test calls
    customised() to start from, and leave, the repository's files."""
    return UserProject(project)


@contextmanager
def customised(user: UserProject) -> Iterator[UserProject]:
    """``user`` with every file as in the repository, before and after."""
    user.reset()
    try:
        yield user
    finally:
        user.reset()


def start_build(
    project: Path, content: Path, output: Path, cache: Path, *options: str, pool_min_tasks: int = 1
) -> subprocess.Popen:
    """A build with WORKERS worker processes, used from ``pool_min_tasks`` tasks."""
    command = build_command(content, output, cache, *options, project=project)
    env = {**build_env(), WORKERS_VARIABLE: str(WORKERS), POOL_MIN_TASKS_VARIABLE: str(pool_min_tasks)}
    return subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_build(process: subprocess.Popen, what: str) -> str:
    return finish_build_with_warnings(process, what)[0]


def finish_build_with_warnings(process: subprocess.Popen, what: str) -> tuple[str, list[str]]:
    """The build's standard output and its warnings."""
    stdout, stderr = process.communicate(timeout=BUILD_TIMEOUT)
    assert process.returncode == 0, f"{what} build failed:\n{stdout}\n{stderr}"
    return stdout, [line for line in stderr.splitlines() if line.startswith("warning:")]


def unrelated_to_post(path: str, slug: str, content: Content) -> bool:
    """Files a body edit of the post ``slug`` cannot change: the other posts'
    pages, the archive, the tag list, the site's pages and fixed files."""
    match = POST_PAGE.match(path)
    if match:
        return match.group(1) != slug
    pages = {f"{PurePosixPath(name).stem}/index.html" for name in content.pages}
    fixed = {"archive/index.html", "tags/index.html", "404.html", "robots.txt", "search/index.html", "css/code.css"}
    return path in pages | fixed or path.startswith("static/")


# --- the property ----------------------------------------------------------------


@dataclass
class StepResult:
    """What one step's two builds left behind."""

    incremental_stdout: str
    before: dict[str, Entry]  # the incremental output before the step
    after: dict[str, Entry]
    clean: dict[str, Entry]
    output_replaced: bool
    # Warnings (broken links among them) of the incremental and the clean build.
    warnings: list[str]
    clean_warnings: list[str]


def build_both(
    project: Path,
    content: Content,
    work: Path,
    number: int,
    before: dict[str, Entry],
    *options: str,
    pool_min_tasks: int = 1,
) -> StepResult:
    """Build incrementally into work/output (its pages rendered in worker
    processes from ``pool_min_tasks`` pages) and from scratch, side by side.
    The clean build renders in its own process: the reference."""
    output = work / "output"
    inode = output.stat().st_ino
    clean_root = work / f"clean-{number}"
    incremental = start_build(project, content.root, output, work / "cache", *options, pool_min_tasks=pool_min_tasks)
    clean = start_build(
        project, content.root, clean_root / "output", clean_root / "cache", *options, pool_min_tasks=MIN_TASKS_FOR_POOL
    )
    stdout, warnings = finish_build_with_warnings(incremental, "incremental")
    _stdout, clean_warnings = finish_build_with_warnings(clean, "clean")
    result = StepResult(
        stdout,
        before,
        snapshot(output),
        snapshot(clean_root / "output"),
        output.stat().st_ino != inode,
        warnings,
        clean_warnings,
    )
    shutil.rmtree(clean_root)
    return result


def check_step(
    step: Step, result: StepResult, content: Content, history: list[str], others_shown: bool = False
) -> None:
    """``others_shown``: a customisation in force shows other posts' data on
    the pages unrelated_to_post names, so a body edit may change them."""
    steps = "\n".join(f"  {i}. {text}" for i, text in enumerate(history, 1))
    differences = tree_differences(result.after, result.clean)
    assert not differences, f"incremental and clean builds differ after:\n{steps}\n" + "\n".join(differences)

    assert result.warnings == result.clean_warnings, f"incremental and clean builds warn differently after:\n{steps}"

    rewritten = rewritten_unchanged_files(result.before, result.after)
    assert not rewritten, f"unchanged files were rewritten after:\n{steps}\n" + "\n".join(rewritten)

    if step.nothing_changed:
        assert [int(n) for n in RENDERED.findall(result.incremental_stdout)] == [0], result.incremental_stdout
        assert result.after == result.before, f"a build after no change touched the output, after:\n{steps}"
        assert not result.output_replaced, f"a build after no change replaced the output folder, after:\n{steps}"
    if step.body_edit_of is not None and not others_shown:
        touched = sorted(
            path
            for path, entry in result.before.items()
            if entry.data is not None
            and unrelated_to_post(path, step.body_edit_of, content)
            and result.after.get(path) != entry
        )
        assert not touched, f"a body edit of {step.body_edit_of} touched unrelated files:\n" + "\n".join(touched)


@pytest.mark.slow
@settings(
    # Each example is about 65 builds (two per step, run side by side).
    max_examples=int(os.environ.get("BLOG_INCREMENTAL_EXAMPLES", "2")),
    deadline=None,
    derandomize=True,
    database=None,
    # Report the failing sequence as it was found rather than spend hours
    # of builds shrinking it.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_incremental_build_equals_clean_build(user_project, tmp_path_factory, data):
    with customised(user_project) as project:
        check_changes(project, tmp_path_factory.mktemp("incremental"), data)


def check_changes(project: UserProject, work: Path, data) -> None:
    content = Content.from_base(work / "content")
    finish_build(start_build(project.root, content.root, work / "output", work / "cache"), "first")
    before = snapshot(work / "output")

    order = data.draw(st.permutations(list(CHANGES)), label="order of the changes")
    # Something to remove must be in force by then.
    first = min(order.index(change.__name__) for change in CUSTOMISING)
    if order.index(remove_customisation.__name__) < first:
        order.remove(remove_customisation.__name__)
        order.insert(first, remove_customisation.__name__)
    more = st.lists(st.sampled_from(list(CHANGES)), min_size=EXTRA_CHANGES, max_size=EXTRA_CHANGES)
    order += data.draw(more, label="more changes")
    history: list[str] = []
    for number, name in enumerate(order, 1):
        step = CHANGES[name](content, project, data)
        pool_min_tasks = data.draw(st.sampled_from(POOL_THRESHOLDS), label="BLOG_POOL_MIN_TASKS")
        history.append(f"{step.description} (BLOG_POOL_MIN_TASKS={pool_min_tasks})")
        note(f"step {number}: {history[-1]}")
        result = build_both(project.root, content, work, number, before, pool_min_tasks=pool_min_tasks)
        check_step(step, result, content, history, others_shown=project.shows_other_posts())
        before = result.after


# --- issue 12: summaries that show whole bodies ------------------------------------


def newest_post(content: Content) -> str:
    """The name of the newest post the build publishes."""
    published = [
        name
        for name, (front, _body) in content.posts.items()
        if not front.get("draft") and current_date(content, name) < min(FUTURE_DATES)
    ]
    return max(published, key=lambda name: current_date(content, name))


def page_of_post(tree: dict[str, Entry], slug: str) -> Element:
    entry = next(entry for path, entry in tree.items() if (m := POST_PAGE.match(path)) and m.group(1) == slug)
    return parse_html(entry.data.decode())


def tag_pages_of(post_page: Element) -> list[str]:
    """The files of the tag pages a post's page links to (first pages: the newest post is on them)."""
    header = post_page.with_class("post-header")[0]
    return [
        unquote(urlsplit(link.get("href")).path).lstrip("/") + "index.html" for link in header.with_class("tag", "a")
    ]


def summary_text(tree: dict[str, Entry], page: str, slug: str) -> str:
    """The text of the summary of the post ``slug`` on the list page ``page``."""
    root = parse_html(tree[page].data.decode())
    for article in root.with_class("post-summary", "article"):
        title = article.with_class("post-summary-title")[0].find("a")
        if urlsplit(title.get("href")).path.rstrip("/").endswith(f"/{slug}"):
            return " ".join(summary.text() for summary in article.with_class("summary"))
    raise AssertionError(f"{page} has no summary of {slug}")


def test_summaries_showing_bodies_follow_a_body_edit(user_project, tmp_path):
    """Issue 12: with post_summary.html showing body_html, an edit to the
    newest post's body reaches the home page and the post's tag pages."""
    with customised(user_project) as project:
        project.apply(customisations.summaries_show_bodies())
        content = Content.from_base(tmp_path / "content")
        finish_build(start_build(project.root, content.root, tmp_path / "output", tmp_path / "cache"), "first")
        name = newest_post(content)
        slug = slug_of(name)
        front, body = content.posts[name]
        edit = "A sentence written after the first build."
        content.write_post(name, front, body.rstrip("\n") + f"\n\n{edit}\n")

        result = build_both(project.root, content, tmp_path, 1, snapshot(tmp_path / "output"))

    pages = ["index.html", *tag_pages_of(page_of_post(result.clean, slug))]
    assert len(pages) > 1, "the newest post has no tags"
    for page in pages:
        assert edit in summary_text(result.clean, page, slug), f"the clean build's {page}"
        assert edit in summary_text(result.after, page, slug), f"{page} still shows the old body of {name}"
    differences = tree_differences(result.after, result.clean)
    assert not differences, "\n".join(differences)


# --- a change to the project's own static files ------------------------------------


@pytest.fixture(scope="module")
def static_edit(project, tmp_path_factory) -> StepResult:
    """The base site built, then built again, incrementally and from scratch,
    after an edit to one of the project's static files."""
    work = tmp_path_factory.mktemp("static-edit")
    content = Content.from_base(work / "content")
    finish_build(start_build(project, content.root, work / "output", work / "cache"), "first")
    stylesheet = project / "static" / "css" / "site.css"
    original = stylesheet.read_bytes()
    try:
        stylesheet.write_bytes(original + b"\n/* edited */\n")
        return build_both(project, content, work, 1, snapshot(work / "output"))
    finally:
        stylesheet.write_bytes(original)


def stylesheets(tree: dict[str, Entry]) -> set[str]:
    return {path for path in tree if path.startswith("static/css/site.")}


def test_static_edit_incremental_equals_clean(static_edit):
    assert stylesheets(static_edit.after) != stylesheets(static_edit.before)
    assert not tree_differences(static_edit.after, static_edit.clean)


def test_static_edit_keeps_the_unchanged_static_files(static_edit):
    rewritten = rewritten_unchanged_files(static_edit.before, static_edit.after)
    assert not rewritten, rewritten


# --- a content file whose bytes change but not its size -----------------------------


def test_same_size_content_change_keeps_the_marker(project, tmp_path):
    content = Content.from_base(tmp_path / "content")
    finish_build(start_build(project, content.root, tmp_path / "output", tmp_path / "cache"), "first")
    image = content.root / content.images[0]
    original = image.read_bytes()
    changed = original.replace(b"#2a6f97", b"#2a6f98")
    assert changed != original and len(changed) == len(original)
    image.write_bytes(changed)
    result = build_both(project, content, tmp_path, 1, snapshot(tmp_path / "output"))
    assert not tree_differences(result.after, result.clean)
    assert not rewritten_unchanged_files(result.before, result.after)


# --- an image a post shows: added, resized, removed ----------------------------------


def post_image_widths(tree: dict[str, Entry], slug: str) -> list[str]:
    return [img.get("width") for img in page_of_post(tree, slug).with_class("post-body")[0].iter("img")]


def test_an_image_added_resized_and_removed_keeps_incremental_equal_to_clean(project, tmp_path):
    content = Content.from_base(tmp_path / "content")
    finish_build(start_build(project, content.root, tmp_path / "output", tmp_path / "cache"), "first")
    before = snapshot(tmp_path / "output")
    shows, cover = sorted(content.posts)[:2]
    relative = "images/shot-1.png"

    def add() -> None:
        make_image(content.root / relative, 1100, 700)
        show_image(content, shows, relative, "with caption")
        show_image(content, cover, relative, "cover")

    def resize() -> None:
        make_image(content.root / relative, 700, 300)

    def remove() -> None:
        for name in (shows, cover):
            front, body = content.posts[name]
            front = {key: value for key, value in front.items() if key != "image"}
            content.write_post(name, front, body.replace(image_block(relative, True), ""))
        (content.root / relative).unlink()

    widths = []
    for number, change in enumerate((add, resize, remove), 1):
        change()
        result = build_both(project, content, tmp_path, number, before)
        differences = tree_differences(result.after, result.clean)
        assert not differences, f"after {change.__name__}:\n" + "\n".join(differences)
        assert not rewritten_unchanged_files(result.before, result.after), change.__name__
        widths.append(post_image_widths(result.after, slug_of(shows)))
        copies = sorted(path for path in result.after if path.startswith("images/shot-1."))
        assert bool(copies) == (change is not remove), copies
        before = result.after
    assert widths == [["1100"], ["700"], []]


# --- time passing -----------------------------------------------------------------

# How far ahead the scheduled post is dated: longer than one build takes on a busy machine.
SCHEDULE_DELAY = 10  # seconds


def scheduled_badges(tree: dict[str, Entry], slug: str) -> list[str]:
    """The "Scheduled" badges on the page of the post ``slug``."""
    page = next(entry for path, entry in tree.items() if (m := POST_PAGE.match(path)) and m.group(1) == slug)
    return [badge.text() for badge in parse_html(page.data.decode()).with_class("badge-scheduled")]


def test_scheduled_post_loses_its_badge_when_its_time_comes(project, tmp_path):
    content = Content.from_base(tmp_path / "content")
    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=SCHEDULE_DELAY)
    content.write_post("soon.md", {"title": "Soon", "date": due.isoformat()}, "Due in a few seconds.\n")
    finish_build(start_build(project, content.root, tmp_path / "output", tmp_path / "cache", "--future"), "first")
    if dt.datetime.now(dt.UTC) >= due:
        pytest.skip("the first build took longer than the post's delay")
    before = snapshot(tmp_path / "output")
    assert scheduled_badges(before, "soon") == ["Scheduled"]

    time.sleep((due - dt.datetime.now(dt.UTC)).total_seconds() + 1)
    result = build_both(project, content, tmp_path, 1, before, "--future")
    assert scheduled_badges(result.clean, "soon") == []
    differences = tree_differences(result.after, result.clean)
    assert not differences, "\n".join(differences)

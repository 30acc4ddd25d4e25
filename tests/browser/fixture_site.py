"""What the browser tests expect, read from the fixture's own files (not from
the blog's reader, which is under test)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "browser_site"
# The fixture's base_url has this path: the built site is served under it.
SUB_PATH = "/blog/"

_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)\.md$")


@dataclass(frozen=True)
class FixturePost:
    file: str
    title: str
    day: dt.date
    slug: str
    tags: tuple[str, ...]
    draft: bool
    disqus_identifier: str

    @property
    def path(self) -> str:
        """The post's URL path on the served site."""
        return f"{SUB_PATH}{self.day:%Y/%m}/{self.slug}/"


def site_config() -> dict:
    return tomllib.loads((FIXTURE / "site.toml").read_text(encoding="utf-8"))


def all_posts() -> list[FixturePost]:
    """Every fixture post, newest first (each is on its own day)."""
    posts = []
    for path in (FIXTURE / "posts").glob("*.md"):
        year, month, day, slug = _DATED.match(path.name).groups()
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        posts.append(
            FixturePost(
                file=path.name,
                title=meta["title"],
                day=dt.date(int(year), int(month), int(day)),
                slug=slug,
                tags=tuple(meta.get("tags", [])),
                draft=bool(meta.get("draft", False)),
                disqus_identifier=str(meta.get("disqus_identifier", slug)),
            )
        )
    return sorted(posts, key=lambda post: post.day, reverse=True)


def published_posts() -> list[FixturePost]:
    today = dt.date.today()
    return [post for post in all_posts() if not post.draft and post.day <= today]


def post_titled(fragment: str) -> FixturePost:
    (post,) = [post for post in all_posts() if fragment in post.title]
    return post


def chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def copy_served_from_root(folder: Path) -> Path:
    """A copy of the fixture in ``folder`` whose base_url is at "/", as the
    preview serves: its site.toml, and the images its posts show, which are
    then where their paths say without /blog/ (a missing image is an error)."""
    shutil.copytree(FIXTURE, folder)
    site = folder / "site.toml"
    site.write_text(re.sub(r"(?m)^base_url = .*$", 'base_url = "http://127.0.0.1:8000/"', site.read_text()))
    for post in (folder / "posts").glob("*.md"):
        post.write_text(post.read_text().replace(f"]({SUB_PATH}images/", "](/images/"))
    return folder

"""Everything a page needs to know about the other posts, computed once.

A post page shows its neighbours and related posts, list pages show tags with
counts: asked of the database page by page, that is several queries over the
whole table per page. The index loads the visible posts once (without their
bodies), and the views and the build's change detection read it.

It is rebuilt when the content changes (the sync bumps a generation number) or
when the visibility rule changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from contextlib import contextmanager
from itertools import chain

from django.db import connection, models
from django.db.models.base import ModelState

from . import reads
from .content.rows import json_value, plain_rows
from .models import CacheEntry, Page, Post, PostTag, Tag
from .paths import alias_file
from .visibility import current

# The front-matter key (kept in ``extra``) with an imported item's WordPress
# ID, which old ``/?p=N`` links name (blog/importers/wordpress/).
WORDPRESS_ID = "wordpress_id"
# How many related posts a post shows at most.
RELATED_POSTS = 3
GENERATION_KEY = "generation"


# Posts and tags are named by ``id`` here and in blog/build/related.py, not ``pk``: the
# ``pk`` property costs a lookup each time, and keying a 10,000-post site
# asks for it about 200,000 times.


class SiteIndex:
    """The visible posts, their tags and the pages. Every lookup a page makes
    is recorded with what it found (blog/reads/recorder.py), so that the next build
    knows which pages a change of order, tags or neighbours reaches; the
    methods use the private lists, so that one lookup is never recorded as
    a read of the whole list."""

    def __init__(self, posts: list[Post], tags: list[Tag], pages: list[Page]) -> None:
        self._posts = posts
        self._tags_list = tags
        self._pages = pages
        self._tags = {tag.slug: tag for tag in tags}
        self._position = {post.id: index for index, post in enumerate(posts)}
        self._by_url = {(p.url_year, p.url_month, p.slug): p for p in posts}
        self._by_source = {p.source: p for p in posts}
        self._by_tag: dict[str, list[Post]] = {tag.slug: [] for tag in tags}
        self._positions_by_tag: dict[str, list[int]] = {tag.slug: [] for tag in tags}
        self._aliases: dict[str, Post] | None = None
        # Worked out for every post at once by the build (blog/build/related.py).
        self._related: dict[int, list[Post]] | None = None
        for position, post in enumerate(posts):
            for tag in post.tag_list:
                self._by_tag[tag.slug].append(post)
                self._positions_by_tag[tag.slug].append(position)

    @property
    def posts(self) -> list[Post]:
        """Every visible post, newest first."""
        return _recorded("posts", (), self._posts)

    @property
    def tags(self) -> list[Tag]:
        """Tags with at least one visible post, by slug, each with its ``count``."""
        return _recorded("tags", (), self._tags_list)

    @property
    def pages(self) -> list[Page]:
        return _recorded("pages", (), self._pages)

    def post_at(self, year: int, month: int, slug: str) -> Post | None:
        return _recorded("post_at", (year, month, slug), self._by_url.get((year, month, slug)))

    def post_from(self, source: str) -> Post | None:
        """The visible post read from ``source`` (a path in content/)."""
        return _recorded("post_from", (source,), self._by_source.get(source))

    def tag(self, slug: str) -> Tag | None:
        """A tag with at least one visible post, with its ``count``."""
        return _recorded("tag", (slug,), self._tags.get(slug))

    def tag_count(self, slug: str) -> int | None:
        tag = self._tags.get(slug)
        return tag.__dict__.get("_count") if tag else None

    def posts_tagged(self, slug: str) -> list[Post]:
        return _recorded("posts_tagged", (slug,), self._by_tag.get(slug, []))

    def older(self, post: Post) -> Post | None:
        """The previous post in time (lists run newest first)."""
        index = self._position[post.id] + 1
        return _recorded("older", (post,), self._posts[index] if index < len(self._posts) else None)

    def newer(self, post: Post) -> Post | None:
        index = self._position[post.id] - 1
        return _recorded("newer", (post,), self._posts[index] if index >= 0 else None)

    def alias_targets(self) -> dict[str, Post | Page]:
        """Redirect file -> the visible post or page it points to."""
        if self._aliases is None:
            self._aliases = {
                alias_file(alias): document
                for document in chain(self._posts, self._pages)
                for alias in document.__dict__["aliases"]
            }
        return self._aliases

    def alias_target(self, alias_path: str) -> Post | Page | None:
        return _recorded("alias_target", (alias_path,), self.alias_targets().get(alias_path))

    def has_redirects(self) -> bool:
        """Whether any visible post or page has an alias or a WordPress ID
        (blog/redirects.py writes their rules for web servers)."""
        found = bool(self.alias_targets()) or any(
            WORDPRESS_ID in document.__dict__["extra"] for document in chain(self._posts, self._pages)
        )
        return _recorded("has_redirects", (), found)

    def has_wordpress_ids(self) -> bool:
        """Whether any visible post or page was imported from WordPress with its ID."""
        found = any(WORDPRESS_ID in document.__dict__["extra"] for document in chain(self._posts, self._pages))
        return _recorded("has_wordpress_ids", (), found)

    def remember_related(self, related: dict[int, list[Post]]) -> None:
        """Serve ``related`` (post id -> its related posts) from now on."""
        self._related = related

    def related(self, post: Post) -> list[Post]:
        """Up to RELATED_POSTS posts sharing the most tags; ties go to the newest."""
        if self._related is not None and post.id in self._related:
            return _recorded("related", (post,), self._related[post.id])
        return _recorded("related", (post,), self.count_related(post))

    def count_related(self, post: Post) -> list[Post]:
        # Everything here runs in C, which matters: the build asks this of
        # every post, and a common tag can hold thousands of them. Counting
        # the list positions in ascending order makes most_common(), which
        # keeps first-seen order among equal counts, prefer the newest post.
        tags = post.__dict__["_tag_list"]
        shared = Counter(sorted(chain.from_iterable(self._positions_by_tag.get(tag.slug, ()) for tag in tags)))
        shared.pop(self._position[post.id], None)
        return [self._posts[position] for position, _count in shared.most_common(RELATED_POSTS)]


def _recorded(lookup: str, arguments: tuple, result):
    reads.record_lookup(lookup, arguments, result)
    return result


# What a post's body is made of: the index leaves it out (list pages and
# keys never need it; the post view loads it).
BODY_FIELDS = ("body_html", "toc_html")


def _from_row(field: models.Field):
    """How a value of ``field`` comes back from SQLite, turned into what the ORM
    would give: the few field types a post has that need a conversion."""
    if isinstance(field, models.DateTimeField):
        # SQLite holds UTC (USE_TZ); its adapter has made a naive datetime.
        return lambda value: value if value is None else value.replace(tzinfo=dt.UTC)
    if isinstance(field, models.JSONField):
        return json_value
    if isinstance(field, models.BooleanField):
        return bool
    return None


def listed_posts(queryset: models.QuerySet) -> list[Post]:
    """The posts of ``queryset`` without their bodies, as the ORM would load them
    with ``.defer(*BODY_FIELDS)``, but built straight from the rows: every build
    loads every post, and the ORM's per-row work (signals, converters,
    ``Model.__init__``) is half the cost of a large site's index."""
    fields = [field for field in Post._meta.concrete_fields if field.attname not in BODY_FIELDS]
    names = [field.attname for field in fields]
    converters = [(position, convert) for position, field in enumerate(fields) if (convert := _from_row(field))]
    posts = []
    alias = connection.alias
    for row in plain_rows(queryset.values_list(*names)):
        values = list(row)
        for position, convert in converters:
            values[position] = convert(values[position])
        post = Post.__new__(Post)
        post.__dict__.update(zip(names, values, strict=True))
        post._state = state = ModelState()
        state.adding, state.db = False, alias
        posts.append(post)
    return posts


def load_index() -> SiteIndex:
    posts = listed_posts(Post.objects.published())
    visible_ids = {post.id for post in posts}
    tags_by_id = {tag.id: tag for tag in Tag.objects.all()}
    tag_lists: dict[int, list[Tag]] = {}
    for post_id, tag_id in PostTag.objects.order_by("post_id", "position").values_list("post_id", "tag_id"):
        if post_id in visible_ids:
            tag_lists.setdefault(post_id, []).append(tags_by_id[tag_id])
    counts: Counter = Counter()
    for post in posts:
        post.tag_list = tag_lists.get(post.id, [])
        counts.update(tag.id for tag in post.tag_list)
    tags = sorted((tag for tag in tags_by_id.values() if counts[tag.id]), key=lambda tag: tag.slug)
    for tag in tags:
        tag.count = counts[tag.id]
    pages = list(Page.objects.published().defer(*BODY_FIELDS))
    return SiteIndex(posts=posts, tags=tags, pages=pages)


_cached: tuple[object, SiteIndex] | None = None
# During a build the content cannot change: the index is pinned and no page
# pays for the query that checks whether it is still current.
_pinned: SiteIndex | None = None


def site_index() -> SiteIndex:
    """The index for the current content and visibility rule, loaded at most once for each."""
    global _cached
    if _pinned is not None:
        return _pinned
    generation = CacheEntry.read(GENERATION_KEY)
    key = (generation, current())
    if _cached is None or _cached[0] != key:
        _cached = (key, load_index())
    return _cached[1]


def bump_generation() -> None:
    """Called by the content sync whenever the database changed. A random token,
    not a counter: a fresh database must never repeat an old database's value."""
    CacheEntry.write(GENERATION_KEY, uuid.uuid4().hex)


@contextmanager
def pinned_index():
    """Load the index once and serve it to every page until the block ends."""
    global _pinned
    _pinned = None
    _pinned = site_index()
    try:
        yield _pinned
    finally:
        _pinned = None

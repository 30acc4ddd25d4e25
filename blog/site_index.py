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
import hashlib
import heapq
import operator
import posixpath
import uuid
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from itertools import chain, combinations, groupby
from pathlib import Path
from typing import NamedTuple

from django.core.paginator import InvalidPage, Paginator
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.base import ModelState
from django.db.models.functions import Cast

from . import reads
from .content.internal_links import BUNDLE_NAMES, is_bundle
from .content.rows import json_value, plain_rows
from .digests import digest
from .models import NOT_INDEXED, NOT_LOADED, CacheEntry, Page, Post, PostTag, Tag
from .paths import alias_file, output_file_for, served_file
from .visibility import current

# The front-matter key (kept in ``extra``) with an imported item's WordPress
# ID, which old ``/?p=N`` links name (blog/importers/wordpress/).
WORDPRESS_ID = "wordpress_id"
# How many related posts a post shows at most.
RELATED_POSTS = 3
# The pages every site has, as files of the output.
BUILT_IN_FILES = (
    "index.html",
    "archive/index.html",
    "tags/index.html",
    "search/index.html",
    "rss.xml",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
)
GENERATION_KEY = "generation"
# The build's index leaves out the columns only pages show (NOT_INDEXED); the
# first page that reads one of a post loads them for this many posts around
# it, in the index's order (SiteIndex.load_shown).
SHOWN_BATCH = 900


# Posts and tags are named by ``id`` here and in blog/build/related.py, not ``pk``: the
# ``pk`` property costs a lookup each time, and keying a 10,000-post site
# asks for it about 200,000 times.


class SiteIndex:
    """The visible posts, their tags and the pages. Every lookup a page makes
    is recorded with what it found (blog/reads/recorder.py), so that the next build
    knows which pages a change of order, tags or neighbours reaches; the
    methods use the private lists, so that one lookup is never recorded as
    a read of the whole list."""

    def __init__(
        self,
        posts: list[Post],
        tags: list[Tag],
        pages: list[Page],
        bundle_sources: list[str] = (),
        loaded: str | None = None,
        shown_later: bool = False,
    ) -> None:
        """``bundle_sources``: every post's source that is a page bundle's,
        visible or not. ``loaded``: a digest of what the lookups answer from,
        as load_index read it (see ``holdings``); an index made of lists
        handed to it has none, and never holds what a stored one did.
        ``shown_later``: the posts were loaded without the columns of
        NOT_INDEXED (load_shown)."""
        self._loaded = loaded or uuid.uuid4().hex
        # The first positions of the batches of posts whose NOT_INDEXED
        # columns are still to load; none if the posts have them.
        self._shown_later = set(range(0, len(posts), SHOWN_BATCH)) if shown_later else set()
        # Its posts by row id and row_digest, for the next load to reuse
        # (reused_posts); filled by load_index when asked to.
        self.reusable: Reusable = {}
        self._bundle_sources = bundle_sources
        self._posts = posts
        self._tags_list = tags
        self._pages = pages
        self._tags = {tag.slug: tag for tag in tags}
        # The posts' fields straight from their __dict__, not through the
        # descriptors that record a page's reads (blog/reads/recorder.py):
        # 77,000 of those calls were 15 ms of every load at 10,000 posts.
        fields = [vars(post) for post in posts]
        self._position = {row["id"]: index for index, row in enumerate(fields)}
        self._by_path = {row["path"]: post for row, post in zip(fields, posts, strict=True)}
        self._by_source = {row["source"]: post for row, post in zip(fields, posts, strict=True)}
        self._documents: dict[str, Post | Page] = {**{p.source: p for p in pages}, **self._by_source}
        # What the site publishes (blog/content/internal_links.py asks, for
        # root-relative links): set by use_content_files, made when first asked.
        self._content_files: dict[str, Path] = {}
        self._published_files: set[str] | None = None
        # Each tag's posts, and their positions in ``posts``: made when first asked (_tagged).
        self._tag_lists: TagLists | None = None
        # Two tags' slugs -> the positions of the posts that have both (_in_both).
        self._pairs: dict[tuple[str, str], list[int]] = {}
        self._aliases: dict[str, Post] | None = None
        # Whether any post or page has a WordPress ID; found when first asked.
        self._wordpress_ids: bool | None = None
        # Tag slug (None: every post) -> when its posts last changed; made when first asked.
        self._last_changes: dict[str | None, dt.datetime] | None = None
        # The archive's groups (archive), made when first asked.
        self._archive: list | None = None
        # Each post's related posts, as positions in ``posts``: worked out for
        # every post at once by the build (blog/build/related.py).
        self._related: list[list[int]] | None = None
        for row, post in zip(fields, posts, strict=True):
            if "_tag_list" not in row:
                # load_index sets them; a post handed in without them loads its own, now.
                row["_tag_list"] = list(post.tag_list)
        # Each series' parts, oldest first (same date: by slug).
        self._series: dict[str, list[Post]] = {}
        in_series = [(row, post) for row, post in zip(fields, posts, strict=True) if row["series_slug"]]
        for row, post in sorted(in_series, key=lambda pair: (pair[0]["date"], pair[0]["slug"])):
            self._series.setdefault(row["series_slug"], []).append(post)
        self._series_slugs = sorted(self._series)

    def load_shown(self, post: Post) -> bool:
        """Load the columns of NOT_INDEXED for the batch of posts ``post`` is
        in, if it is one of this index's posts and they were left out; say
        whether they were. No lookup reads them (blog/models.py), and an edit
        renders a page or two that show a few other posts: loading every
        post's title, summary and description for them took 0.13 s of an
        edit at 50,000 posts (docs/benchmarks.md, issue 17, session 18). The
        content cannot change during a build, so rows read now are the rows
        the index was loaded from."""
        position = self._position.get(post.__dict__["id"])
        if position is None or self._posts[position] is not post:
            return False
        start = position - position % SHOWN_BATCH
        if start not in self._shown_later:
            return False
        self._shown_later.discard(start)
        batch = self._posts[start : start + SHOWN_BATCH]
        columns = _columns(NOT_INDEXED)
        query = Post.objects.filter(id__in=[row.__dict__["id"] for row in batch]).values_list("id", *columns.selected)
        rows = {row[0]: row[1:] for row in plain_rows(query)}
        for row in batch:
            values = list(rows[row.__dict__["id"]])
            for column, convert in columns.converters:
                values[column] = convert(values[column])
            row.__dict__.update(zip(columns.names, values, strict=True))
        return True

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

    def post_at(self, path: str) -> Post | None:
        """The visible post whose URL path (from the site's root) is ``path``."""
        return _recorded("post_at", (path,), self._by_path.get(path))

    def document_from(self, source: str) -> Post | Page | None:
        """The visible post, or the page, read from ``source`` (a path in content/)."""
        return _recorded("document_from", (source,), self._documents.get(source))

    def use_content_files(self, files: dict[str, Path]) -> None:
        """The content folder's files to publish (path in content/ -> file)."""
        self._content_files = files
        self._published_files = None

    def holdings(self) -> str:
        """A digest of everything the lookups answer from: the rows the index
        was loaded from, in order, by the digest the sync stored with each of
        the fields the lookups read (``Document.index_digest``: not the id,
        which changes when the sync replaces a row, and which no lookup
        answers with; not the fields of blog/models.py's NOT_INDEXED, which
        pages read as fields of the row; a post's tags are in it), the tags'
        names and counts, and the content files.
        The lookups read nothing else, so two indexes with the same holdings
        give every lookup the same answer: the build passes every stored
        lookup without asking it again while the holdings are as they were
        (blog/reads/facts.py). A lookup that needs anything more (a query, a
        file) must be handed it by load_index, and it must go into this
        digest."""
        return digest(self._loaded, sorted((relative, str(file)) for relative, file in self._content_files.items()))

    def published_content(self) -> dict[str, Path]:
        """The content folder's files by where they are published: a page
        bundle's files (beside ``posts/x/index.md``) beside its post's URL;
        those of a bundle no one sees (a draft) not at all; the others where
        they are in content/."""
        placed = {}
        for source in self._bundle_sources:
            post = self._by_source.get(source)
            if post is not None:
                # From __dict__, past the recorded fields: every build asks this.
                placed[posixpath.dirname(source)] = post.__dict__["path"]
        placed.update(
            (posixpath.dirname(page.source), f"{page.slug}/") for page in self._pages if is_bundle(page.source)
        )
        hidden = {posixpath.dirname(source) for source in self._bundle_sources} - placed.keys()
        published = {}
        for relative, file in self._content_files.items():
            folder = posixpath.dirname(relative)
            while folder and folder not in placed and folder not in hidden:
                folder = posixpath.dirname(folder)
            if not folder:
                published[relative] = file
            elif folder in placed:
                published[placed[folder] + relative[len(folder) + 1 :]] = file
        return published

    def has_url_path(self, path: str) -> bool:
        """Whether the site publishes something at ``path`` (from the site's
        root, decoded): a post, page, alias, tag, built-in page or content file."""
        if self._published_files is None:
            # Made of every post's fields, which are not what the page read:
            # the lookup's answer, recorded below, is.
            with reads.not_recorded():
                self._published_files = self._files()
        found = served_file(output_file_for(path), self._published_files) is not None
        return _recorded("has_url_path", (path,), found)

    def _files(self) -> set[str]:
        files = set(BUILT_IN_FILES) | self.published_content().keys()
        files.update(output_file_for(post.path) for post in self._posts)
        files.update(f"{page.slug}/index.html" for page in self._pages)
        files.update(self.alias_targets())
        files.update(f"tags/{tag.slug}/index.html" for tag in self._tags_list)
        return files

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
        return _recorded("posts_tagged", (slug,), self._tagged().posts.get(slug, []))

    def _tagged(self) -> TagLists:
        """Each tag's visible posts, newest first, and their positions in
        ``posts``; made when first asked. An edit whose pages show no tag's
        list and whose related posts are as they were never asks (0.03 s at
        50,000 posts)."""
        if self._tag_lists is None:
            lists = TagLists({tag.slug: [] for tag in self._tags_list}, {tag.slug: [] for tag in self._tags_list})
            for position, post in enumerate(self._posts):
                for tag in post.__dict__["_tag_list"]:
                    slug = tag.__dict__["slug"]
                    lists.posts[slug].append(post)
                    lists.positions[slug].append(position)
            self._tag_lists = lists
        return self._tag_lists

    # One page of a list of posts (every post, or a tag's: ``tag`` None or a
    # slug), for blog/views.py's PostsPaginator. Django's Paginator over the
    # list does the arithmetic. Recorded as what the page shows, not as the
    # whole list: a post added in the middle of the list renders again only
    # the pages after it (docs/benchmarks.md, issue 17, session 10).

    def post_count(self, tag: str | None = None) -> int:
        """How many visible posts there are (with ``tag``, if given)."""
        return _recorded("post_count", (tag,), len(self._listed(tag)))

    def page_count(self, tag: str | None, per_page: int, orphans: int, allow_empty_first_page: bool) -> int:
        """How many pages the list has (Paginator.num_pages)."""
        paginator = Paginator(self._listed(tag), per_page, orphans, allow_empty_first_page)
        return _recorded("page_count", (tag, per_page, orphans, allow_empty_first_page), paginator.num_pages)

    def posts_on_page(self, tag: str | None, number: int, per_page: int, orphans: int) -> list[Post] | None:
        """The posts of page ``number`` of the list; None if it has no such page."""
        try:
            found = list(Paginator(self._listed(tag), per_page, orphans).page(number).object_list)
        except InvalidPage:
            found = None
        return _recorded("posts_on_page", (tag, number, per_page, orphans), found)

    def last_change(self, tag: str | None = None) -> dt.datetime | None:
        """When the visible posts (with ``tag``, if given) last changed: the
        latest date or update among them; None for none. One lookup, where
        reading each post's dates would be a fact per post and tag: the
        sitemap asks it of every tag, and so read 120,000 fields at 10,000
        posts (docs/benchmarks.md, issue 17, session 12)."""
        if self._last_changes is None:
            latest: dict[str | None, dt.datetime] = {}
            for post in self._posts:
                values = post.__dict__
                changed = values["updated"] or values["date"]
                for slug in (None, *(tag.__dict__["slug"] for tag in values["_tag_list"])):
                    if slug not in latest or changed > latest[slug]:
                        latest[slug] = changed
            self._last_changes = latest
        return _recorded("last_change", (tag,), self._last_changes.get(tag))

    def archive(self) -> list[tuple[int, list[tuple[int, list[Post]]]]]:
        """Every visible post, newest first, grouped by the year and then the
        month of its date in the site's time zone (``url_year``, ``url_month``):
        [(year, [(month, posts)])]. One lookup, where grouping them on the
        archive page read two fields of every post: at 50,000 posts, 50,000
        facts, named and stored again whenever the archive renders (0.5 s)."""
        if self._archive is None:
            self._archive = [
                (year, [(month, list(in_month)) for month, in_month in groupby(in_year, key=_month)])
                for year, in_year in groupby(self._posts, key=_year)
            ]
        return _recorded("archive", (), self._archive)

    def _listed(self, tag: str | None) -> list[Post]:
        return self._posts if tag is None else self._tagged().posts.get(tag, [])

    @property
    def series_slugs(self) -> list[str]:
        """The slug of every series with a visible post, sorted."""
        return _recorded("series_slugs", (), self._series_slugs)

    def series(self, slug: str) -> list[Post]:
        """The visible parts of the series ``slug``, oldest first; [] for none."""
        return _recorded("series", (slug,), self._series.get(slug, []))

    def older(self, post: Post) -> Post | None:
        """The previous post in time (lists run newest first)."""
        return _recorded("older", (post,), self._older(post))

    def newer(self, post: Post) -> Post | None:
        return _recorded("newer", (post,), self._newer(post))

    def post_page(self, path: str) -> tuple[Post, Post | None, Post | None, list[Post]] | None:
        """What a post's page shows of the index, in one lookup: the visible post
        at ``path`` (as ``post_at``), the posts ``older`` and ``newer`` than it, and
        its ``related`` posts; None if no visible post is there. One fact a post
        instead of four: they were most of the facts every build checks
        (docs/benchmarks.md, issue 17)."""
        post = self._by_path.get(path)
        found = None if post is None else (post, self._older(post), self._newer(post), self._related_to(post))
        return _recorded("post_page", (path,), found)

    def _older(self, post: Post) -> Post | None:
        index = self._position[post.id] + 1
        return self._posts[index] if index < len(self._posts) else None

    def _newer(self, post: Post) -> Post | None:
        index = self._position[post.id] - 1
        return self._posts[index] if index >= 0 else None

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
        found = bool(self.alias_targets()) or self._any_wordpress_id()
        return _recorded("has_redirects", (), found)

    def has_wordpress_ids(self) -> bool:
        """Whether any visible post or page was imported from WordPress with its ID."""
        return _recorded("has_wordpress_ids", (), self._any_wordpress_id())

    def _any_wordpress_id(self) -> bool:
        """Found once: each build lists the redirect files, which asks it twice
        of every post (0.03 s at 50,000 posts)."""
        if self._wordpress_ids is None:
            documents = chain(self._posts, self._pages)
            self._wordpress_ids = any(WORDPRESS_ID in document.__dict__["extra"] for document in documents)
        return self._wordpress_ids

    def remember_related(self, related: list[list[int]]) -> None:
        """Serve ``related`` from now on: each post's related posts, as
        positions in ``posts``, in the order of ``posts``."""
        self._related = related

    def related(self, post: Post) -> list[Post]:
        """Up to RELATED_POSTS older posts sharing the most tags; ties go to the newest of them."""
        return _recorded("related", (post,), self._related_to(post))

    def _related_to(self, post: Post) -> list[Post]:
        position = self._position.get(post.id)
        if self._related is not None and position is not None:
            return [self._posts[other] for other in self._related[position]]
        # Also a post the index does not hold (a draft the build hides, asked
        # about by a template tag of the author's): counted, among the index's.
        return self.count_related(post)

    def count_related(self, post: Post) -> list[Post]:
        """related(), counted: the posts older than ``post`` sharing the most
        of its tags, ties to the newest of them. A post the index does not
        hold has no place in its order, and is ranked against all its posts."""
        ranking = self._ranking(_tag_slugs(post))
        return [self._posts[position] for position in ranking.older_than(self._position.get(post.id, -1))]

    def count_every_related(self) -> list[list[int]]:
        """count_related of every post, as positions in ``posts``. Posts
        with the same tags share a ranking, worked out once: a cold build
        asks for every post's, and counting each post's anew took 3.2 s at
        10,000 posts and 81 s at 50,000, where a popular tag holds
        thousands of posts (docs/benchmarks.md, issue 17, session 21). A
        ranking is dropped once its posts are answered: kept for every set
        of tags, they would hold millions of positions at 50,000 posts."""
        with_tags: dict[tuple[str, ...], list[int]] = {}
        for position, post in enumerate(self._posts):
            with_tags.setdefault(_tag_slugs(post), []).append(position)
        related: list[list[int]] = [[] for _post in self._posts]
        for slugs, positions in with_tags.items():
            ranking = self._ranking(slugs)
            for position in positions:
                related[position] = ranking.older_than(position)
        return related

    def _ranking(self, slugs: tuple[str, ...]) -> SharedTags:
        """The ranking of the posts sharing any of the tags ``slugs``."""
        positions = self._tagged().positions
        columns = [positions.get(slug, []) for slug in slugs]
        pairs = [self._in_both(first, second) for first, second in combinations(slugs, 2)]
        return SharedTags.of(columns, pairs)

    def _in_both(self, first: str, second: str) -> list[int]:
        """The positions of the posts tagged both ``first`` and ``second``,
        ascending, found once: many sets of tags hold the same pair."""
        found = self._pairs.get((first, second))
        if found is None:
            positions = self._tagged().positions
            found = sorted(frozenset(positions.get(first, ())).intersection(positions.get(second, ())))
            self._pairs[first, second] = found
        return found


def _tag_slugs(post: Post) -> tuple[str, ...]:
    """A post's tags' slugs, sorted: read past the recorded fields, as this
    runs over every post."""
    return tuple(sorted(tag.__dict__["slug"] for tag in post.__dict__["_tag_list"]))


class SharedTags(NamedTuple):
    """The posts sharing any of a set of tags, ranked for each post that has
    that set: the posts found under the most of the tags first, ties to the
    lowest position (the newest).

    ``columns``: each tag's positions, ascending. ``levels``: the positions
    found under two tags or more, those under the most first, each level
    ascending. They come from the pairs of tags: a position under c of the
    tags is in c(c-1)/2 of the pairs, which ranks them as c does, and the
    pairs are few beside the columns."""

    columns: list[list[int]]
    levels: list[list[int]]

    @classmethod
    def of(cls, columns: list[list[int]], pairs: list[list[int]]) -> SharedTags:
        """``pairs``: the positions in both columns of each pair of columns, ascending."""
        if len(pairs) <= 1:
            # Every position of the one pair is in both columns: one level, as it is.
            return cls(columns, [pair for pair in pairs if pair])
        in_pairs = Counter(chain.from_iterable(pairs))
        by_count: dict[int, list[int]] = {}
        for position in sorted(in_pairs):
            by_count.setdefault(in_pairs[position], []).append(position)
        return cls(columns, [by_count[count] for count in sorted(by_count, reverse=True)])

    def older_than(self, own: int) -> list[int]:
        """The first RELATED_POSTS positions after ``own``, in rank order."""
        found: list[int] = []
        for level in self.levels:
            start = bisect_right(level, own)
            found += level[start : start + RELATED_POSTS - len(found)]
            if len(found) == RELATED_POSTS:
                return found
        # Then the positions under one tag only: a position under c tags
        # comes c times in a row from the merged columns. Fewer than
        # RELATED_POSTS positions after ``own`` are in the levels, so this
        # passes over a few of them at most.
        tails = [_after(column, own) for column in self.columns]
        for position, times in groupby(heapq.merge(*tails)):
            if len(list(times)) == 1:
                found.append(position)
                if len(found) == RELATED_POSTS:
                    break
        return found


def _after(column: list[int], own: int) -> Iterator[int]:
    """The positions of ascending ``column`` after ``own``, without copying it."""
    return (column[index] for index in range(bisect_right(column, own), len(column)))


class TagLists(NamedTuple):
    """Each tag's visible posts (by slug), and their positions in the index's posts."""

    posts: dict[str, list[Post]]
    positions: dict[str, list[int]]


def _year(post: Post) -> int:
    return post.__dict__["url_year"]


def _month(post: Post) -> int:
    return post.__dict__["url_month"]


def _recorded(lookup: str, arguments: tuple, result):
    reads.record_lookup(lookup, arguments, result)
    return result


def _from_row(field: models.Field):
    """How a value of ``field`` comes back from SQLite (as Columns selects it),
    turned into what the ORM would give: the few field types a post has that
    need a conversion."""
    if isinstance(field, models.DateTimeField):
        return _utc_datetime
    if isinstance(field, models.JSONField):
        return json_value
    if isinstance(field, models.BooleanField):
        return bool
    return None


def _utc_datetime(text: str | None) -> dt.datetime | None:
    """A date as SQLite holds it (UTC, USE_TZ), selected as text: parsed with its
    offset, a fifth of the cost of the naive datetime SQLite's adapter makes
    and ``.replace(tzinfo=...)``: 0.03 s less of every load at 50,000 posts."""
    return None if text is None else dt.datetime.fromisoformat(text + "+00:00")


def listed_posts(queryset: models.QuerySet, loaded=None, shown: bool = True) -> list[Post]:
    """The posts of ``queryset`` without the fields NOT_LOADED (nor, unless
    ``shown``, those of NOT_INDEXED), as the ORM would load them with
    ``.defer(...)``, but built straight from the rows: every build loads
    every post, and the ORM's per-row work (signals, converters,
    ``Model.__init__``) is half the cost of a large site's index.
    Each post's ``index_digest``, a digest of the fields the lookups read that
    the sync stored with the row, goes into ``loaded`` (a hashlib hash), if given."""
    if loaded is None:
        columns = _listed_fields(shown)
        return _built(plain_rows(queryset.values_list(*columns.selected)), columns)
    posts, digests = _with_digests(queryset, "index_digest", shown)
    # 1 ms at 10,000 posts, where a digest of the rows themselves took 40.
    loaded.update("".join(digests).encode())
    return posts


def reused_posts(queryset: models.QuerySet, earlier: Reusable) -> tuple[list[Post], Reusable]:
    """listed_posts, for an index loaded again: a post whose row has the id
    and ``row_digest`` it had in ``earlier`` (``SiteIndex.reusable`` of the
    index loaded before) is taken from there as it was built (the digest is
    of every column and the tags), and only the other rows are read. The
    preview loads the index again after every save, which changes one post
    among thousands. Returns the posts, and their own ``reusable``.

    Like the build's holdings, this trusts the digest: whatever writes a
    post's row (the content sync) stores the digest with it."""
    if not earlier:
        posts, digests = _with_digests(queryset, "row_digest")
        return posts, {(post.id, one): post for post, one in zip(posts, digests, strict=True)}
    columns = _listed_fields()
    pairs = plain_rows(queryset.values_list("id", "row_digest"))
    unknown = [pair[0] for pair in pairs if pair not in earlier]
    read: dict[int, Post] = {}
    for start in range(0, len(unknown), READ_BY_ID):
        chunk = Post.objects.filter(id__in=unknown[start : start + READ_BY_ID]).values_list(*columns.selected)
        read.update((post.id, post) for post in _built(plain_rows(chunk), columns))
    posts = []
    for pair in pairs:
        post = earlier.get(pair)
        if post is None:
            post = read[pair[0]]
        else:
            # Forget what a page loaded on it after it was built (a template
            # that shows ``post.body_html`` of a listed post loads it).
            loaded = post.__dict__
            if not loaded.keys().isdisjoint(NOT_LOADED):
                for name in NOT_LOADED:
                    loaded.pop(name, None)
        posts.append(post)
    return posts, dict(zip(pairs, posts, strict=True))


def _with_digests(queryset: models.QuerySet, column: str, shown: bool = True) -> tuple[list[Post], list[str]]:
    """The posts of ``queryset`` as listed_posts builds them, and each one's digest ``column``."""
    columns = _listed_fields(shown)
    rows = plain_rows(queryset.values_list(*columns.selected, column))
    return _built([row[:-1] for row in rows], columns), [row[-1] for row in rows]


def _listed_fields(shown: bool = True) -> Columns:
    """The Columns of the fields the index loads (with ``shown``, those of
    NOT_INDEXED too)."""
    left_out = NOT_LOADED if shown else NOT_LOADED + NOT_INDEXED
    return _columns([field.attname for field in Post._meta.concrete_fields if field.attname not in left_out])


class Columns(NamedTuple):
    """Some of a post's fields, as the index reads them from SQLite."""

    names: list[str]
    # What to select for each, in a ``values_list``: dates as text (_utc_datetime).
    selected: list
    # (position, function) for each value a row holds in another form than the ORM's.
    converters: list


def _columns(names) -> Columns:
    """The Columns of ``names``, a post's fields."""
    fields = [Post._meta.get_field(name) for name in names]
    selected = [
        Cast(field.attname, models.TextField()) if isinstance(field, models.DateTimeField) else field.attname
        for field in fields
    ]
    converters = [(position, convert) for position, field in enumerate(fields) if (convert := _from_row(field))]
    return Columns([field.attname for field in fields], selected, converters)


# Rows read by id at a time: below SQLite's oldest limit on parameters.
READ_BY_ID = 900
# An index's posts by row id and ``row_digest`` (reused_posts).
Reusable = dict[tuple[int, str], Post]


def _built(rows: list[tuple], columns: Columns) -> list[Post]:
    """Posts made from ``rows`` of ``columns.selected``. Converted a column
    at a time, with ``map``, not a row at a time (0.02 s less at 50,000 posts)."""
    if not rows:
        return []
    values = list(zip(*rows, strict=True))
    for position, convert in columns.converters:
        values[position] = map(convert, values[position])
    names, alias, posts = columns.names, connection.alias, []
    for row in zip(*values, strict=True):
        post = Post.__new__(Post)
        post.__dict__.update(zip(names, row, strict=True))
        post._state = state = ModelState()
        state.adding, state.db = False, alias
        posts.append(post)
    return posts


def load_index(holdings: bool = False, earlier: SiteIndex | None = None, shown_later: bool = False) -> SiteIndex:
    """The index of the visible posts. With ``holdings``, it can tell whether it
    holds what an earlier one held (``SiteIndex.holdings``): the build asks,
    the preview does not. (The digest, made of each row's ``index_digest``,
    costs a few milliseconds at 10,000 posts.) With ``earlier``, the index
    loaded before it, it reuses that one's posts where it can (reused_posts).
    With ``shown_later``, the columns of NOT_INDEXED are loaded when a page
    reads them (SiteIndex.load_shown): only where the content cannot change
    meanwhile, in a build. The preview's server syncs in one thread while
    another renders, and loads everything in one transaction."""
    loaded = hashlib.blake2b(digest_size=16) if holdings else None
    if earlier is None:
        posts, reusable = listed_posts(Post.objects.published(), loaded, shown=not shown_later), {}
    else:
        posts, reusable = reused_posts(Post.objects.published(), earlier.reusable)
    visible_ids = {post.id for post in posts}
    tags_by_id = {tag.id: tag for tag in Tag.objects.all()}
    links = plain_rows(PostTag.objects.order_by("post_id", "position").values_list("post_id", "tag_id"))
    # A post's links are together, in order: grouped in C, 0.06 -> 0.02 s at 50,000 posts.
    tag_lists = {
        post_id: [tags_by_id[tag_id] for _post_id, tag_id in group]
        for post_id, group in groupby(links, key=operator.itemgetter(0))
        if post_id in visible_ids
    }
    for post in posts:
        post.__dict__["_tag_list"] = tag_lists.get(post.id, [])  # Post.tag_list, without recording
    counts = Counter(tag.id for tags in tag_lists.values() for tag in tags)
    tags = sorted((tag for tag in tags_by_id.values() if counts[tag.id]), key=lambda tag: tag.slug)
    for tag in tags:
        tag.count = counts[tag.id]
    pages = list(Page.objects.published().defer(*NOT_LOADED))
    # SQL keeps the few sources that may be a bundle's (its LIKE ignores case); is_bundle decides.
    # By source, which SQLite reads from the index on it: the posts' own order
    # read every row (0.05 s at 50,000 posts).
    maybe_bundles = (
        Post.objects.filter(reduce(operator.or_, (Q(source__endswith=name) for name in BUNDLE_NAMES)))
        .order_by("source")
        .values_list("source")
    )
    bundle_sources = [source for (source,) in plain_rows(maybe_bundles) if is_bundle(source)]
    if loaded is not None:
        # Each post's tags are in its ``index_digest`` (the sync's), already in ``loaded``.
        tag_rows = [(tag.slug, tag.name, tag.count) for tag in tags]
        page_digests = plain_rows(Page.objects.published().values_list("index_digest"))
        loaded.update(repr((tag_rows, page_digests, bundle_sources)).encode())
    index = SiteIndex(
        posts=posts,
        tags=tags,
        pages=pages,
        bundle_sources=bundle_sources,
        loaded=loaded.hexdigest() if loaded is not None else None,
        shown_later=shown_later and earlier is None,
    )
    index.reusable = reusable
    return index


_cached: tuple[object, SiteIndex] | None = None
# During a build the content cannot change: the index is pinned and no page
# pays for the query that checks whether it is still current.
_pinned: SiteIndex | None = None


def site_index() -> SiteIndex:
    """The index for the current content and visibility rule, loaded at most once for each.
    Each load reuses the posts of the one before that are as they were."""
    global _cached
    if _pinned is not None:
        return _pinned
    generation = CacheEntry.read(GENERATION_KEY)
    key = (generation, current())
    if _cached is None or _cached[0] != key:
        # One read transaction: every row as of one moment, though a sync may
        # commit while the index loads.
        with transaction.atomic():
            _cached = (key, load_index(earlier=_cached[1] if _cached else SiteIndex([], [], [])))
    return _cached[1]


def bump_generation() -> None:
    """Called by the content sync whenever the database changed. A random token,
    not a counter: a fresh database must never repeat an old database's value."""
    CacheEntry.write(GENERATION_KEY, uuid.uuid4().hex)


def load_shown(post: Post) -> bool:
    """SiteIndex.load_shown of the pinned index, if there is one."""
    return _pinned is not None and _pinned.load_shown(post)


@contextmanager
def pinned_index():
    """Load the index once, with its holdings, and serve it to every page until
    the block ends."""
    global _pinned
    _pinned = None
    _pinned = load_index(holdings=True, shown_later=True)
    try:
        yield _pinned
    finally:
        _pinned = None

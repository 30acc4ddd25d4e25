"""The database is a cache of the content folder: deleting it is always safe.

``blog/content/sync.py`` fills these tables from ``content/``; the views only
read them.
"""

from __future__ import annotations

from django.db import models

from . import reads, visibility
from .content import internal_links
from .digests import digest
from .reversed_urls import reversed_url


class SourceFile(models.Model):
    """What was last read from one Markdown file, so unchanged files are skipped."""

    path = models.CharField(max_length=1024, unique=True)
    mtime_ns = models.BigIntegerField()
    size = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    # Warnings are kept so that every build reports them, not only the one
    # that read the file.
    warnings = models.JSONField(default=list)
    # The images its body and front matter used, each as [size, mtime_ns] when
    # read: a file that changed since renders the document again.
    images = models.JSONField(default=dict)
    # The resized copies of those images the site serves: output file -> its
    # file in the image cache (blog/content/images.py).
    image_copies = models.JSONField(default=dict)
    # What the body was rendered from besides the file (blog/content/render_inputs.py):
    # [kind, key, value] lists; the file is rendered again when one changes.
    inputs = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.path


class CacheEntry(models.Model):
    """Small facts about the cache itself, such as the renderer's fingerprint."""

    key = models.CharField(max_length=100, primary_key=True)
    value = models.JSONField()

    def __str__(self) -> str:
        return self.key

    @classmethod
    def read(cls, key: str):
        """The value stored under ``key``, or None."""
        return cls.objects.filter(key=key).values_list("value", flat=True).first()

    @classmethod
    def write(cls, key: str, value) -> None:
        cls.objects.update_or_create(key=key, defaults={"value": value})


# Values named in one query, well under SQLite's limit on parameters.
QUERY_BATCH = 500


def delete_where_in(model: type[models.Model], field: str, values) -> None:
    """Delete the rows of ``model`` whose ``field`` is one of ``values``, a batch per query."""
    values = list(values)
    for start in range(0, len(values), QUERY_BATCH):
        model.objects.filter(**{f"{field}__in": values[start : start + QUERY_BATCH]}).delete()


class Tag(models.Model):
    slug = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)

    # What names a tag from one build to the next (blog/reads/recorder.py).
    identity_field = "slug"

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reversed_url("blog:tag", (self.slug,))

    @property
    def count(self) -> int | None:
        """How many visible posts have the tag: set by the site index."""
        count = self.__dict__.get("_count")
        reads.record_lookup("tag_count", (self.__dict__["slug"],), count)
        return count

    @count.setter
    def count(self, value: int) -> None:
        self.__dict__["_count"] = value


class PostQuerySet(models.QuerySet):
    def published(self) -> PostQuerySet:
        rule = visibility.current()
        posts = self
        if not rule.drafts:
            posts = posts.filter(draft=False)
        if not rule.future:
            posts = posts.filter(date__lte=rule.cutoff())
        return posts


# The columns the site index does not load (blog/site_index.py): the bodies,
# which list pages never show (a post's view loads them), and the content
# sync's digests, which change with every edit and which no page shows.
BODY_FIELDS = ("body_html", "toc_html")
NOT_LOADED = (*BODY_FIELDS, "source_digest", "row_digest", "index_digest")
# The columns of a post none of the site index's lookups answers from: they
# are there for the pages to show (the build's index loads them only when a
# page reads one: SiteIndex.load_shown). A page that shows one reads it as a
# field of its row, which records it (blog/reads/recorder.py), so a new title
# renders the pages that show the title without the index's holdings changing
# (``index_digest``), which would make the build ask every stored lookup
# again. A column left off this list is in the holdings: slower, never
# wrong. tests/test_site_index.py changes every column listed here on every
# post and page, and asks every lookup of SiteIndex (found from its code)
# about everything the fixture site holds: each must answer as it did. Put
# any column a lookup reads here and that test fails.
NOT_INDEXED = (
    "title",
    "summary_html",
    "description",
    "image",
    "image_width",
    "image_height",
    "link_targets",
    "rewrites_links",
    "comments",
    "disqus_identifier",
    "reading_minutes",
    "series",
)
_SHOWN = frozenset(NOT_INDEXED)


class Document(models.Model):
    """What posts and pages share."""

    source = models.CharField(max_length=1024, unique=True)
    slug = models.CharField(max_length=255)
    title = models.CharField(max_length=1000)
    summary_html = models.TextField(blank=True)
    description = models.TextField(blank=True)
    image = models.CharField(max_length=2048, blank=True)
    # The size of ``image`` when it is a local file (0 when unknown).
    image_width = models.PositiveIntegerField(default=0)
    image_height = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(null=True)
    extra = models.JSONField(default=dict)
    # The sha256 of the source file the document was read from.
    source_digest = models.CharField(max_length=64)
    # A digest of every other column (and a post's tags), made when the
    # document is stored: what a page that read the row depends on (blog/reads/recorder.py).
    row_digest = models.CharField(max_length=32)
    # A digest of the columns the site index's lookups answer from (all but
    # NOT_LOADED and NOT_INDEXED), made when the document is stored: what the
    # index's holdings are made of (blog/site_index.py).
    index_digest = models.CharField(max_length=32)
    # The sources the body links to, as [path in content/, line] pairs: each
    # must exist when a page shows the body (blog/content/internal_links.py).
    link_targets = models.JSONField(default=list)
    # Whether the body or summary has links resolved only when a page shows
    # them: decided once, at sync time, so most bodies skip the rewrite.
    rewrites_links = models.BooleanField(default=False)
    # The bodies are the last columns of the table (migration 0005): SQLite
    # walks a large value's overflow pages to reach any column after it.
    body_html = models.TextField()
    toc_html = models.TextField(blank=True)

    # What names a document from one build to the next (blog/reads/recorder.py).
    identity_field = "source"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def digest_row(self, *more) -> str:
        """The row's digest, of every stored field and ``more``."""
        return digest(reads.row_values(self._meta, {**self.__dict__, "row_digest": None}), *more)

    def digest_indexed(self, *more) -> str:
        """The digest of the fields the site index's lookups answer from, and ``more``."""
        indexed = {
            name: value for name, value in self.__dict__.items() if name not in NOT_LOADED and name not in NOT_INDEXED
        }
        return digest(reads.row_values(self._meta, indexed), *more)

    @property
    def body(self) -> str:
        """The body as a page shows it: ``body_html`` with its links to other
        sources, its bundle's files and the site's root resolved for this
        build (blog/content/internal_links.py). Templates and feeds show this,
        never ``body_html`` itself."""
        return internal_links.shown(self.body_html, self) if self.rewrites_links else self.body_html

    @property
    def summary(self) -> str:
        """``summary_html`` as a page shows it, resolved as ``body`` is."""
        return internal_links.shown(self.summary_html, self) if self.rewrites_links else self.summary_html


class Post(Document):
    date = models.DateTimeField(db_index=True)
    # The URL path from the site's root, ending in "/": the author's (Zola's
    # path, Hugo's url, Jekyll's permalink), or YYYY/MM/slug/.
    path = models.CharField(max_length=2048)
    # Year and month of the date, in the site's time zone at load time: the archive's groups.
    url_year = models.PositiveIntegerField()
    url_month = models.PositiveSmallIntegerField()
    draft = models.BooleanField(default=False)
    comments = models.BooleanField(default=True)
    disqus_identifier = models.CharField(max_length=1000)
    reading_minutes = models.PositiveIntegerField(default=1)
    aliases = models.JSONField(default=list)
    # The series the post is a part of, as its front matter names it, and the
    # series' URL segment ("" for none); the site index groups the parts.
    series = models.CharField(max_length=1000, blank=True, default="")
    series_slug = models.CharField(max_length=255, blank=True, default="")
    tags = models.ManyToManyField(Tag, through="PostTag", related_name="posts")

    objects = PostQuerySet.as_manager()

    class Meta:
        # Same date: ordered by slug, so every build lists them the same way.
        ordering = ["-date", "slug"]
        indexes = [
            # The posts in their order, with every column the site index
            # loads of each (blog/site_index.py: the build's, and the pairs
            # the preview's asks first, reused_posts), so that SQLite reads
            # them from this index, not from the rows, which hold the bodies:
            # 17 -> 4 ms at 10,000 posts for the preview's pairs, 0.20 ->
            # 0.11 s at 50,000 for the build's index. A column the index
            # loads and this leaves out makes SQLite read every row again:
            # tests/test_site_index.py fails then.
            models.Index(
                fields=[
                    "-date",
                    "slug",
                    "draft",
                    "row_digest",
                    "index_digest",
                    "source",
                    "path",
                    "updated",
                    "url_year",
                    "url_month",
                    "extra",
                    "aliases",
                    "series_slug",
                ],
                name="post_listing",
            ),
            # Every post's row digest, which each build compares with the
            # last build's (blog/reads/built_rows.py): 78 -> 24 ms at 50,000 posts.
            models.Index(fields=["source", "row_digest"], name="post_row_digest"),
        ]

    def get_absolute_url(self) -> str:
        return reversed_url("blog:post", (self.path.removesuffix("/"),))

    def refresh_from_db(self, using=None, fields=None, **kwargs) -> None:
        """Django's loading of deferred fields, which calls this with the one
        field read. A post of the build's site index was loaded without the
        columns only pages show: the first read of one loads them for a batch
        of posts at once (SiteIndex.load_shown), not a query per field."""
        if fields and _SHOWN.issuperset(fields):
            # Imported here: blog.site_index imports this module.
            from .site_index import load_shown

            if load_shown(self) and all(name in self.__dict__ for name in fields):
                return
        super().refresh_from_db(using, fields, **kwargs)

    @property
    def tag_list(self) -> list[Tag]:
        """The post's tags in the order the author wrote them. The site index
        sets this for every visible post, so list pages make no query per post.
        They are part of the post's row digest."""
        reads.record_field(self, reads.TAGS)
        tags = self.__dict__.get("_tag_list")
        if tags is None:
            tags = self.__dict__["_tag_list"] = list(
                Tag.objects.filter(posttag__post=self).order_by("posttag__position")
            )
        return tags

    @tag_list.setter
    def tag_list(self, tags: list[Tag]) -> None:
        self.__dict__["_tag_list"] = tags

    @property
    def is_scheduled(self) -> bool:
        scheduled = visibility.current().scheduled(self.date)
        # It changes with the clock alone (blog/reads/facts.py).
        reads.record_lookup(reads.SCHEDULED_LOOKUP, (self,), scheduled)
        return scheduled


class PostTag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    # The spelling this post used; a tag shows its most common spelling.
    label = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        unique_together = [("post", "tag")]
        # Every post's tags in order, as the site index reads them, with no sort.
        indexes = [models.Index(fields=["post", "position", "tag"], name="posttag_order")]

    def __str__(self) -> str:
        return f"{self.post} · {self.label}"


class PageQuerySet(models.QuerySet):
    def published(self) -> PageQuerySet:
        # Pages have no schedule: only drafts are left out.
        return self if visibility.current().drafts else self.filter(draft=False)


class Page(Document):
    date = models.DateTimeField(null=True)
    draft = models.BooleanField(default=False)
    # Old site-relative URL paths that redirect to the page, as a post's do.
    aliases = models.JSONField(default=list)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def get_absolute_url(self) -> str:
        return reversed_url("blog:page", (self.slug,))


class OutputFile(models.Model):
    """Each file the last successful build put in the output folder. For a
    copied file, the key of its source; for a page, a digest of its bytes and
    the facts it read while it rendered (blog/reads/recorder.py): a later build in which
    those facts still hold links the old file instead of rendering it again."""

    path = models.CharField(max_length=2048, unique=True)
    key = models.CharField(max_length=64)
    # Fact ids, packed (blog/reads/recorder.py); None for a file that is not a page,
    # or a page that read something that cannot be recorded (rendered on
    # every build).
    reads = models.BinaryField(null=True, default=None)
    # For pages and feeds: the links in it and the ids it has, so the link
    # check covers pages a rebuild did not render.
    links = models.JSONField(default=list)
    ids = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.path


class SummaryFragment(models.Model):
    """A post's summary as list pages show it (``includes/post_summary.html``),
    or its archive entry (``includes/archive_entry.html``), rendered once and
    reused by later builds while the facts it read hold (blog/build/fragments.py)."""

    # The template's name and the post's source file.
    key = models.CharField(max_length=2048, primary_key=True)
    # The post's source file: its fragments go when its row does (blog/content/sync.py).
    source = models.CharField(max_length=1024, default="", db_index=True)
    html = models.TextField()
    # Fact ids, packed (blog/reads/recorder.py).
    reads = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return self.key


class Fact(models.Model):
    """Something a page or fragment read while it rendered, as it was then: a
    key naming it (blog/reads/recorder.py) and a digest of its value. A fact that
    changes gets a new row, so a page's ids name exactly what it saw."""

    key = models.TextField()
    digest = models.CharField(max_length=32)
    # What the fact is about, for the check to pass it unread while that is
    # as it was (blog/reads/values.py, fact_subject); else "".
    subject = models.TextField(default="", db_index=True)

    class Meta:
        unique_together = [("key", "digest")]

    def __str__(self) -> str:
        return self.key


class BuiltRow(models.Model):
    """A recorded row (blog/reads/recorder.py) as of the last build that
    recorded its pages: its subject (blog/reads/values.py, row_subject) and
    its digest then. The next build compares them with the rows now, in
    SQL (blog/reads/built_rows.py), to find the few rows that changed."""

    subject = models.TextField(primary_key=True)
    digest = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.subject


# Every field read of these rows is recorded while the build renders; rows of
# other models reach pages through queries, which are recorded too.
reads.record_fields(Post, Page, Tag)

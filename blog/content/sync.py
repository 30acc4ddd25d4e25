"""Bring the database in line with the content folder.

Every source is read and validated before anything is rendered or stored, and
all problems are reported together. Files whose size and modification time are
unchanged since the last sync are not read again; files whose bytes are
unchanged are not rendered again.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.text import slugify

from ..errors import ContentErrors, ContentProblem
from ..models import CacheEntry, Page, Post, PostTag, SourceFile, Tag
from ..paths import alias_file
from ..site_index import bump_generation
from ..siteconfig import SiteConfig, activate_site
from .html_text import plain_text, truncate_words
from .markdown import render_markdown, renderer_fingerprint
from .reader import PAGE, SourceDocument, read_document
from .rows import json_value, plain_rows
from .sources import display_path, find_sources, read_site

if TYPE_CHECKING:
    from ..build.progress import Progress

# Rendered files are written to the database this many at a time.
STORE_BATCH = 200
# How the stored files were read: the renderer's fingerprint and the time zone.
FINGERPRINT_ENTRY = "fingerprint"
# Meta descriptions longer than this are cut by search engines anyway.
DESCRIPTION_LENGTH = 200
# Top-level names the generator writes itself; a page may not take them.
RESERVED_NAMES = frozenset(
    {
        "tags",
        "archive",
        "search",
        "page",
        "feeds",
        "static",
        "css",
        # Pagefind's search index (blog/search_bundle.py).
        "pagefind",
        "404.html",
        "rss.xml",
        "atom.xml",
        "sitemap.xml",
        "robots.txt",
        "index.html",
    }
)


@dataclass
class SyncReport:
    site: SiteConfig
    warnings: list[ContentProblem] = field(default_factory=list)
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0


class _Known(NamedTuple):
    """What the cache remembers of a source file."""

    path: str
    mtime_ns: int
    size: int
    digest: str
    warnings: str  # as stored: JSON text

    def problems(self) -> list[ContentProblem]:
        return [ContentProblem(*warning) for warning in json_value(self.warnings)]


@dataclass
class _FileTask:
    absolute: str
    relative: str
    display: str
    kind: str
    time_zone: str
    # The digest stored for this file, so an unchanged file is not rendered.
    previous_digest: str = ""


@dataclass
class _FileResult:
    relative: str
    digest: str
    document: SourceDocument | None
    errors: list[ContentProblem]
    warnings: list[ContentProblem]
    unchanged: bool = False
    html: str = ""
    toc_html: str = ""
    summary_html: str = ""
    description: str = ""
    reading_minutes: int = 1
    # The URL slug of each of the document's tags, in order.
    tag_slugs: list[str] = field(default_factory=list)


def _load(task: _FileTask) -> _FileResult:
    """Read, validate and render one file. Pure, so it can run in a worker process."""
    data = Path(task.absolute).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest == task.previous_digest:
        return _FileResult(task.relative, digest, None, [], [], unchanged=True)
    document, errors, warnings = read_document(data, task.display, task.relative, task.kind, ZoneInfo(task.time_zone))
    result = _FileResult(task.relative, digest, document, errors, warnings)
    if document is not None:
        document.source_path = task.relative
        rendered = render_markdown(document.body)
        result.html = rendered.html
        result.toc_html = rendered.toc_html
        result.reading_minutes = rendered.reading_minutes
        # A summary written in front matter is text, never HTML.
        result.summary_html = f"<p>{escape(document.summary)}</p>" if document.summary else rendered.summary_html
        # Worked out here rather than where they are stored: the main process
        # stores the results of every worker.
        result.description = document.description or truncate_words(plain_text(result.summary_html), DESCRIPTION_LENGTH)
        result.tag_slugs = [tag_slug(label) for label in document.tags]
    return result


def sync_content(content_dir: Path, progress: Progress | None = None) -> SyncReport:
    """Load ``content_dir`` into the database; raise ContentErrors listing every problem."""
    # Imported here, not at the top: blog.build imports this module, and
    # importing a module of blog.build first loads all of blog.build.
    from ..build import workers
    from ..build.progress import Progress

    progress = progress or Progress()
    content_dir = content_dir.resolve()
    try:
        site = read_site(content_dir)
        site_problems: list[ContentProblem] = []
    except ContentErrors as bad_site:
        # Read the posts with the defaults anyway, so the author sees every
        # problem in one run, not the site's first and the posts' next time.
        site, site_problems = SiteConfig(), bad_site.problems
    fingerprint = f"{renderer_fingerprint()}:{site.time_zone}"
    report = SyncReport(site=site)

    stored_fingerprint = CacheEntry.read(FINGERPRINT_ENTRY)
    # Naive dates depend on the time zone, and HTML on the renderer: when
    # either changed, every file is read again.
    # Plain rows, not model instances: this runs on every build and every
    # preview request, over every source file.
    known = (
        {
            row.path: row
            for row in map(
                _Known._make,
                plain_rows(SourceFile.objects.values_list("path", "mtime_ns", "size", "digest", "warnings")),
            )
        }
        if stored_fingerprint == fingerprint
        else {}
    )

    tasks, stats, seen = [], {}, set()
    sources = find_sources(content_dir)
    progress.phase("scan", len(sources))
    for source in sources:
        relative = source.relative
        seen.add(relative)
        stats[relative] = (source.mtime_ns, source.size)
        row = known.get(relative)
        if row is not None and row.mtime_ns == source.mtime_ns and row.size == source.size:
            report.unchanged += 1
            report.warnings += row.problems()
            continue
        previous_digest = row.digest if row is not None else ""
        task = _FileTask(
            source.absolute, relative, display_path(Path(source.absolute)), source.kind, site.time_zone, previous_digest
        )
        tasks.append(task)

    progress.end_phase(f"{len(sources)} files, {len(tasks)} new or changed")
    errors: list[ContentProblem] = list(site_problems)
    progress.phase("render Markdown", len(tasks))
    # The workers fork before the transaction opens the database connection,
    # so no SQLite handle is shared. Results are stored as they come, in
    # batches, so the HTML of a large site is never all in memory at once.
    with workers.mapper(len(tasks)) as run, _queries_not_logged(), transaction.atomic():
        if stored_fingerprint != fingerprint:
            SourceFile.objects.all().delete()
        batch: list[_FileResult] = []
        for result in run(_load, tasks):
            progress.advance()
            errors += result.errors
            report.warnings += result.warnings
            if result.unchanged:
                # Saved again but not changed: remember the new stat, keep the HTML.
                report.warnings += known[result.relative].problems()
                mtime_ns, size = stats[result.relative]
                SourceFile.objects.filter(path=result.relative).update(mtime_ns=mtime_ns, size=size)
                report.unchanged += 1
            elif not result.errors:
                batch.append(result)
            if len(batch) >= STORE_BATCH:
                _store_files(batch, site, stats)
                report.rendered += len(batch)
                batch = []
        _store_files(batch, site, stats)
        report.rendered += len(batch)
        progress.end_phase(f"{len(tasks)} files")
        gone = set(SourceFile.objects.values_list("path", flat=True)) - seen
        stale_documents = (
            set(Post.objects.values_list("source", flat=True)) | set(Page.objects.values_list("source", flat=True))
        ) - seen
        if gone or stale_documents:
            report.removed = len(gone | stale_documents)
            SourceFile.objects.filter(path__in=gone).delete()
            Post.objects.filter(source__in=stale_documents).delete()
            Page.objects.filter(source__in=stale_documents).delete()
        errors += _conflicts(content_dir)
        if errors:
            transaction.set_rollback(True)
            raise ContentErrors(errors)
        _name_tags()
        if report.rendered or report.removed or stored_fingerprint != fingerprint:
            bump_generation()
        CacheEntry.write(FINGERPRINT_ENTRY, fingerprint)
        CacheEntry.write("site", site.as_dict())
    activate_site(site)
    return report


@contextmanager
def _queries_not_logged() -> Iterator[None]:
    """Do not keep the text of the sync's queries, even with DEBUG on (the
    preview, and a build until it turns DEBUG off). Django would keep every
    statement with its parameters quoted into it, by one more query each: the
    HTML of every post, 75 MB and 3 s of CPU at 10,000 posts. Only this
    thread's connection is affected; settings.DEBUG is shared by all threads."""
    connection.make_debug_cursor = connection.make_cursor
    try:
        yield
    finally:
        del connection.make_debug_cursor


def _store_files(results: list[_FileResult], site: SiteConfig, stats: dict[str, tuple[int, int]]) -> None:
    """Store rendered files: their posts and pages, and what the cache knows of the files."""
    if not results:
        return
    _store(results, site)
    SourceFile.objects.filter(path__in=[r.relative for r in results]).delete()
    SourceFile.objects.bulk_create(
        SourceFile(
            path=r.relative,
            mtime_ns=stats[r.relative][0],
            size=stats[r.relative][1],
            digest=r.digest,
            warnings=[w.as_list() for w in r.warnings],
        )
        for r in results
    )


def _store(results: list[_FileResult], site: SiteConfig) -> None:
    """Replace the posts and pages of ``results`` in a few bulk queries."""
    sources = [r.relative for r in results]
    Post.objects.filter(source__in=sources).delete()
    Page.objects.filter(source__in=sources).delete()
    posts, pages, labels = [], [], {}
    for result in results:
        doc = result.document
        common = {
            "source": doc.source_path,
            "slug": doc.slug,
            "title": doc.title,
            "body_html": result.html,
            "toc_html": result.toc_html,
            "summary_html": result.summary_html,
            "description": result.description,
            "image": doc.image,
            "updated": doc.updated,
            "extra": doc.extra,
            "source_digest": result.digest,
        }
        if doc.kind == PAGE:
            page = Page(**common, date=doc.date)
            page.row_digest = page.digest_row()
            pages.append(page)
            continue
        local = doc.date.astimezone(site.zone)
        post = Post(
            **common,
            date=doc.date,
            url_year=local.year,
            url_month=local.month,
            draft=doc.draft,
            comments=doc.comments,
            disqus_identifier=doc.disqus_identifier,
            reading_minutes=result.reading_minutes,
            aliases=doc.aliases,
        )
        labels[doc.source_path] = list(zip(result.tag_slugs, doc.tags, strict=True))
        # The tags as the author wrote them are part of the post (Post.tag_list).
        post.row_digest = post.digest_row(labels[doc.source_path])
        posts.append(post)
    Page.objects.bulk_create(pages)
    Post.objects.bulk_create(posts)
    if not labels:
        return
    wanted = {slug: label for tags in labels.values() for slug, label in reversed(tags)}
    existing = dict(Tag.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    Tag.objects.bulk_create(Tag(slug=slug, name=label) for slug, label in wanted.items() if slug not in existing)
    tag_ids = dict(Tag.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    post_ids = dict(Post.objects.filter(source__in=labels).values_list("source", "pk"))
    links = []
    for source, tags in labels.items():
        linked = set()
        for position, (slug, label) in enumerate(tags):
            tag_id = tag_ids[slug]
            if tag_id not in linked:
                linked.add(tag_id)
                links.append(PostTag(post_id=post_ids[source], tag_id=tag_id, label=label, position=position))
    PostTag.objects.bulk_create(links)


def tag_slug(label: str) -> str:
    """The URL segment of a tag: slugified, keeping non-Latin letters."""
    slug = slugify(label, allow_unicode=True)
    if slug:
        return slug
    # A tag made only of symbols or emoji slugifies to nothing; name it by
    # its code points so it still gets a stable, unique address.
    return "-".join(f"u{ord(c):x}" for c in label if not c.isspace())


def _name_tags() -> None:
    """Each tag shows the spelling most posts use (ties: the first in sort order);
    tags no post uses any more are dropped."""
    Tag.objects.filter(posttag__isnull=True).delete()
    spellings: dict[int, Counter] = defaultdict(Counter)
    for tag_id, label in PostTag.objects.values_list("tag_id", "label"):
        spellings[tag_id][label] += 1
    for tag in Tag.objects.all():
        counts = spellings[tag.pk]
        name = min(counts, key=lambda label: (-counts[label], label))
        if name != tag.name:
            Tag.objects.filter(pk=tag.pk).update(name=name)


def _conflicts(content_dir: Path) -> list[ContentProblem]:
    """Two sources that would write the same output file."""
    owners: dict[str, list[tuple[str, str]]] = defaultdict(list)  # file -> (source, what)
    for name in RESERVED_NAMES:
        owners[name if "." in name else f"{name}/index.html"].append(("", f"the built-in '{name}' section"))
    posts = plain_rows(Post.objects.values_list("source", "url_year", "url_month", "slug", "aliases"))
    for source, year, month, slug, _aliases in posts:
        owners[f"{year:04d}/{month:02d}/{slug}/index.html"].append((source, ""))
    for source, slug in Page.objects.values_list("source", "slug"):
        owners[f"{slug}/index.html"].append((source, ""))
    for source, *_url, aliases in posts:
        for alias in json_value(aliases):
            owners[alias_file(alias)].append((source, f"(alias {alias})"))
    problems = []
    # Nearly every file has one owner: only the others are sorted and examined.
    for output, claims in sorted(item for item in owners.items() if len(item[1]) > 1):
        claims = list(dict.fromkeys(claims))
        files = [source for source, _ in claims if source]
        if len(claims) < 2 or not files:
            continue
        # Display paths only for the few conflicts, not for every post.
        names = [f"{_shown(content_dir, source)} {what}".strip() if source else what for source, what in claims]
        reported = next(i for i, (source, _) in enumerate(claims) if source)
        first = _shown(content_dir, claims[reported][0])
        others = ", ".join(name for i, name in enumerate(names) if i != reported)
        problems.append(
            ContentProblem(
                first,
                1,
                f"writes the same output file /{output} as {others}",
                "give one of them another slug or date, or remove the alias",
            )
        )
    return problems


def _shown(content_dir: Path, source: str) -> str:
    return display_path(content_dir / source)

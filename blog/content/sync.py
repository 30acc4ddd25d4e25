"""Bring the database in line with the content folder.

Every source is read and validated before anything is rendered or stored, and
all problems are reported together. Files whose size and modification time are
unchanged since the last sync are not read again; files whose bytes are
unchanged are not rendered again.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.text import slugify

from ..errors import ContentErrors, ContentProblem
from ..models import CacheEntry, Page, Post, PostTag, SourceFile, SummaryFragment, Tag
from ..site_index import bump_generation
from ..siteconfig import SiteConfig, activate_site
from . import internal_links
from .html_text import plain_text, truncate_words
from .hugo_shortcodes import render_shortcodes
from .image_html import DocumentImages
from .images import IMAGE_CACHE, ImageOptions, prune_cache
from .jekyll_permalinks import jekyll_address, jekyll_permalink
from .liquid_site import LiquidSite, Location, liquid_fingerprint, site_asks_for_liquid
from .markdown import render_markdown, renderer_fingerprint
from .math import MathProblem
from .reader import PAGE, POST, SKIPPED, SourceDocument, read_document
from .render_inputs import InputsNow, RenderInputs
from .rows import json_value, plain_rows
from .site_checks import conflicts, dangling_links, output_claims, shown
from .source_names import SourceNames
from .sources import ContentFile, Source, display_path, list_content, read_site, sources_in
from .stored_files import StoredFiles, stored_image_copies

if TYPE_CHECKING:
    from ..build.progress import Progress

# Rendered files are written to the database this many at a time.
STORE_BATCH = 200
# How the stored files were read: the renderer's fingerprint and the time zone.
FINGERPRINT_ENTRY = "fingerprint"
# The code the last whole-site checks ran with (see _Reach).
CHECKS_ENTRY = "checks"
# Meta descriptions longer than this are cut by search engines anyway.
DESCRIPTION_LENGTH = 200


@dataclass
class _Reach:
    """What the stored rows changed that the checks over the whole site read.
    The database passed those checks when the last sync committed (a sync
    that finds a problem rolls back), so a row stored with the output files
    and tags its old row had cannot have made a new problem."""

    # A row claims output files its old row did not: its address or aliases
    # changed, or the source is new.
    claims: bool = False
    # A post's tags, or the way it spells them, changed.
    tags: bool = False


@dataclass
class SyncReport:
    site: SiteConfig
    warnings: list[ContentProblem] = field(default_factory=list)
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0
    # Section and template files (Zola's and Hugo's _index.md, theme files): read, not published.
    skipped: int = 0


@dataclass
class _FileTask:
    absolute: str
    relative: str
    display: str
    kind: str
    time_zone: str
    content_dir: str
    base_path: str
    images: ImageOptions
    # What Liquid and Hugo's links may read of the site (one object, shared by every task).
    site: LiquidSite
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
    # The images the document used, and the copies of them the site serves
    # (SourceFile.images, SourceFile.image_copies).
    images: dict[str, list[int]] = field(default_factory=dict)
    image_copies: dict[str, str] = field(default_factory=dict)
    # The Open Graph image and its size (0 when not a local file).
    image: str = ""
    image_width: int = 0
    image_height: int = 0
    # Kept apart from the other errors: with a broken site.toml, paths under
    # its base_url cannot be followed, and only the other errors are reported.
    image_errors: list[ContentProblem] = field(default_factory=list)
    # What the body was rendered from besides the file (render_inputs.py).
    inputs: list[list[str]] = field(default_factory=list)
    # Links to other sources (blog/content/internal_links.py): found, then as stored.
    links: list[internal_links.LinkTarget] = field(default_factory=list)
    link_targets: list[list] = field(default_factory=list)
    rewrites_links: bool = False


def _load(task: _FileTask) -> _FileResult:
    """Read, validate and render one file. Pure, so it can run in a worker process."""
    data = Path(task.absolute).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest == task.previous_digest:
        return _FileResult(task.relative, digest, None, [], [], unchanged=True)
    document, errors, warnings = read_document(data, task.display, task.relative, task.kind, ZoneInfo(task.time_zone))
    result = _FileResult(task.relative, digest, document, errors, warnings)
    if document is not None and document.kind != SKIPPED:
        document.source_path = task.relative
        _keep_jekyll_address(document, task)
        body, liquid_rendered = _expand(document, task, result)
        if result.errors:
            result.document = None
            return result
        rendered = render_markdown(body, task.relative, liquid_rendered=liquid_rendered)
        for href, error in rendered.links.errors:
            line = internal_links.line_of(document.body, document.body_line, href)
            result.errors.append(ContentProblem(task.display, line, error.message, error.hint))
        for target in rendered.links.targets:
            target.line = internal_links.line_of(document.body, document.body_line, target.written)
        result.links = rendered.links.targets
        result.warnings += _math_warnings(document, rendered.math_problems, task.display)
        images = _document_images(document, task)
        result.html = images.rewrite(rendered.html, eager_first=True)
        result.toc_html = rendered.toc_html
        result.reading_minutes = rendered.reading_minutes
        # A summary written in front matter is text, never HTML. On list pages
        # every image loads lazily.
        result.summary_html = (
            f"<p>{escape(document.summary)}</p>"
            if document.summary
            else images.rewrite(rendered.summary_html, eager_first=False)
        )
        result.image, result.image_width, result.image_height = images.open_graph(document.image)
        result.images, result.image_copies = images.read, images.copies
        result.image_errors, warnings = images.located_problems(data, task.display, document.body_line)
        result.warnings += warnings
        # Worked out here rather than where they are stored: the main process
        # stores the results of every worker.
        result.description = document.description or truncate_words(plain_text(result.summary_html), DESCRIPTION_LENGTH)
        result.tag_slugs = [tag_slug(label) for label in document.tags]
        result.rewrites_links = internal_links.needs_rewrite(task.relative, result.html, result.summary_html)
    if result.errors:
        result.document = None
    return result


def _keep_jekyll_address(document: SourceDocument, task: _FileTask) -> None:
    """A post of a Jekyll site copied in keeps the address Jekyll gave it, as
    an alias, unless its author set its URL."""
    template = task.site.jekyll_permalink
    if not template or document.kind != POST or document.author_path or document.date is None:
        return
    local = document.date.astimezone(ZoneInfo(task.time_zone))
    address = jekyll_address(template, local, document.slug, document.categories)
    if address.strip("/") != document.path.strip("/") and address not in document.aliases:
        document.aliases.append(address)


def _document_images(document: SourceDocument, task: _FileTask) -> DocumentImages:
    """The images of ``document``: relative sources resolve against its URL,
    and a bundle's own files are found in its folder."""
    bundle = internal_links.is_bundle(task.relative)
    return DocumentImages(
        Path(task.content_dir),
        f"{task.base_path}{document.path}",
        task.images,
        task.base_path,
        bundle_dir=posixpath.dirname(task.relative) if bundle else "",
        bundle_url=document.path.strip("/") if bundle else "",
    )


def default_image_cache() -> Path:
    """Beside the database; in the cache folder for a database in memory (tests)."""
    if connection.is_in_memory_db():
        return Path(settings.BLOG_CACHE_DIR) / IMAGE_CACHE
    return Path(connection.settings_dict["NAME"]).parent / IMAGE_CACHE


def image_options(site: SiteConfig, image_cache: Path) -> ImageOptions:
    return ImageOptions(site.image_widths, site.image_max_megapixels * 1_000_000, site.image_sizes, str(image_cache))


def _expand(document: SourceDocument, task: _FileTask, result: _FileResult) -> tuple[str, bool]:
    """The body with Hugo's links resolved and, where the site or the post
    asks for it, Liquid rendered; problems and inputs go into ``result``."""
    inputs = RenderInputs()
    liquid_rendered = task.site.wanted_by(document.extra)
    shortcodes = render_shortcodes(
        document.body, task.display, document.body_line, task.site.names, inputs, liquid_next=liquid_rendered
    )
    body = shortcodes.text
    result.errors += shortcodes.errors
    result.warnings += shortcodes.warnings
    if liquid_rendered:
        # Imported here: python-liquid is loaded only by a build that has
        # Liquid to render (blog/content/liquid_site.py).
        from .liquid_render import render_liquid

        page = {
            **document.extra,
            "title": document.title,
            "slug": document.slug,
            "date": document.date,
            "tags": document.tags,
            "path": task.relative,
        }
        output = render_liquid(body, Location(task.display, document.body_line), page, task.site, inputs)
        body = output.text
        result.errors += output.errors
        result.warnings += output.warnings
    result.inputs = inputs.as_list()
    return body, liquid_rendered


# Math longer than this is cut short in a warning.
SHOWN_MATH_LENGTH = 60


def _math_warnings(document: SourceDocument, problems: tuple[MathProblem, ...], path: str) -> list[ContentProblem]:
    """A warning for each formula that could not be rendered, at its line in the
    file: found by its first line, each occurrence once (the Markdown converter
    reports display math before the inline math around it)."""
    warnings, used = [], set()
    for problem in problems:
        first_line = problem.written.split("\n", 1)[0]
        index = document.body.find(first_line)
        while index >= 0 and index in used:
            index = document.body.find(first_line, index + 1)
        used.add(index)
        line = document.body_line + (document.body.count("\n", 0, index) if index >= 0 else 0)
        shown = truncate_words(" ".join(problem.written.split()), SHOWN_MATH_LENGTH)
        warnings.append(
            ContentProblem(
                path,
                line,
                f"math {shown} cannot be rendered: {problem.message}; it is shown as written",
                "fix the TeX, or write \\$ for a dollar sign that is not math",
            )
        )
    return warnings


def sync_content(
    content_dir: Path,
    progress: Progress | None = None,
    image_cache: Path | None = None,
    files: tuple[ContentFile, ...] | None = None,
) -> SyncReport:
    """Load ``content_dir`` into the database; raise ContentErrors listing every
    problem. Resized copies of images are kept in ``image_cache`` (default: the
    folder ``images`` beside the database). ``files``: the folder's
    ``list_content``, when the caller has walked it already (the build, to
    pick the files it publishes from the same walk; the preview, to see
    whether anything changed)."""
    # Imported here, not at the top: blog.build imports this module, and
    # importing a module of blog.build first loads all of blog.build.
    from ..build import workers
    from ..build.fingerprints import code_fingerprint
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
    if image_cache is None:
        image_cache = default_image_cache()
    images = image_options(site, image_cache.resolve())
    liquid_everywhere = site_asks_for_liquid(content_dir, site.liquid)
    # Where an image's path leads depends on the base path, and turning Liquid
    # on or off for the whole site changes how every file reads.
    # A Jekyll site's permalink setting gives every post its old address.
    old_addresses = jekyll_permalink(content_dir)
    fingerprint = (
        f"{renderer_fingerprint()}:{liquid_fingerprint()}:{site.time_zone}:{liquid_everywhere}"
        f":{site.base_path}:{images.fingerprint()}:{old_addresses}"
    )
    if files is None:
        files = list_content(content_dir)
    report = SyncReport(site=site)

    stored_fingerprint = CacheEntry.read(FINGERPRINT_ENTRY)
    # Naive dates depend on the time zone, and HTML on the renderer: when
    # either changed, every file is read again.
    stored = StoredFiles.load() if stored_fingerprint == fingerprint else StoredFiles()

    sources = sources_in(files)
    seen = {source.relative for source in sources}
    names = SourceNames.of(source.relative for source in sources)
    liquid_site = LiquidSite(str(content_dir), site.base_url, site.time_zone, liquid_everywhere, names, old_addresses)
    inputs_now = InputsNow(content_dir, names, {"base_url": site.base_url})
    progress.phase("scan", len(sources))
    # A file is as it was stored when its stat is, and so is whatever else
    # it was rendered from (an image, a Liquid include or data file).
    stat_as_stored = stored.stats.intersection(files)
    changed: list[tuple[Source, bool]] = []
    for source in sources:
        noted = stored.noted.get(source.relative)
        inputs_hold = noted is None or noted.inputs_hold(str(content_dir), images.cache_dir, inputs_now)
        if inputs_hold and (source.relative, source.mtime_ns, source.size) in stat_as_stored:
            report.unchanged += 1
            if noted is not None:
                report.warnings += noted.problems()
            continue
        changed.append((source, inputs_hold))
    # A file saved again with the same bytes, and the same inputs, is not rendered again.
    previous_digests = stored.digests([source.relative for source, inputs_hold in changed if inputs_hold])
    stats = {source.relative: (source.mtime_ns, source.size) for source, _inputs_hold in changed}
    tasks = []
    for source, inputs_hold in changed:
        relative = source.relative
        absolute = os.path.join(str(content_dir), relative)
        task = _FileTask(
            absolute,
            relative,
            display_path(Path(absolute)),
            source.kind,
            site.time_zone,
            str(content_dir),
            site.base_path,
            images,
            liquid_site,
            previous_digests.get(relative, "") if inputs_hold else "",
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
        reach = _Reach()
        for result in run(_load, tasks):
            progress.advance()
            if result.links:
                _choose_link_targets(result, seen, content_dir)
            errors += result.errors
            if not site_problems:
                errors += result.image_errors
            report.warnings += result.warnings
            if result.unchanged:
                # Saved again but not changed: remember the new stat, keep the HTML.
                report.warnings += stored.problems(result.relative)
                mtime_ns, size = stats[result.relative]
                SourceFile.objects.filter(path=result.relative).update(mtime_ns=mtime_ns, size=size)
                report.unchanged += 1
            elif not result.errors and not result.image_errors:
                batch.append(result)
            if len(batch) >= STORE_BATCH:
                _store_files(batch, site, stats, reach)
                report.rendered += len(batch)
                batch = []
        _store_files(batch, site, stats, reach)
        report.rendered += len(batch)
        progress.end_phase(f"{len(tasks)} files")
        # Plain rows again: the ORM's per-row work on every file's row was a
        # third of an edit's sync at 10,000 posts.
        # Every row this sync stored is of a file it saw: the rows gone are
        # among those it found (none, if it started from an empty table).
        gone = stored.gone(files, seen)
        stale_documents = (_column(Post, "source") | _column(Page, "source")) - seen
        if gone or stale_documents:
            report.removed = len(gone | stale_documents)
            SourceFile.objects.filter(path__in=gone).delete()
            _delete_documents(stale_documents)
        # The checks' own code is part of what they depend on.
        checks_code = code_fingerprint()
        new_checks = CacheEntry.read(CHECKS_ENTRY) != checks_code
        if reach.claims or new_checks:
            errors += conflicts(content_dir)
        if gone or stale_documents:
            # Only a link to a source that is gone can dangle: the files read
            # again had their links checked as they were read.
            errors += dangling_links(content_dir, seen)
        if errors:
            transaction.set_rollback(True)
            raise ContentErrors(errors)
        if new_checks:
            CacheEntry.write(CHECKS_ENTRY, checks_code)
        if reach.tags or stale_documents:
            _name_tags()
        if report.rendered or report.removed or stored_fingerprint != fingerprint:
            bump_generation()
        CacheEntry.write(FINGERPRINT_ENTRY, fingerprint)
        CacheEntry.write("site", site.as_dict())
        if report.rendered or report.removed:
            # Copies no stored file uses any more (its image was replaced or
            # is no longer shown) are deleted, once the new rows are safe.
            in_use = {cached for copies in stored_image_copies() for cached in copies.values()}
            transaction.on_commit(lambda: prune_cache(Path(images.cache_dir), in_use))
        report.skipped = SourceFile.objects.count() - Post.objects.count() - Page.objects.count()
    activate_site(site)
    return report


def _column(model, name: str) -> set:
    """Every value of the column ``name`` of ``model``'s table. Unordered:
    sorting by the model's ordering made SQLite read every post's row."""
    return {value for (value,) in plain_rows(model.objects.order_by().values_list(name))}


def _choose_link_targets(result: _FileResult, sources: set[str], content_dir: Path) -> None:
    """Each link to another source leads to the first of the files it may
    mean that exists; one that leads nowhere is an error at its line."""
    texts = [result.html, result.summary_html]
    display = shown(content_dir, result.relative)
    result.link_targets, problems = internal_links.choose_targets(display, result.links, sources, texts)
    result.html, result.summary_html = texts
    result.errors += problems


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


def _store_files(
    results: list[_FileResult], site: SiteConfig, stats: dict[str, tuple[int, int]], reach: _Reach
) -> None:
    """Store rendered files: their posts and pages, and what the cache knows of the files."""
    if not results:
        return
    _store(results, site, reach)
    SourceFile.objects.filter(path__in=[r.relative for r in results]).delete()
    SourceFile.objects.bulk_create(
        SourceFile(
            path=r.relative,
            mtime_ns=stats[r.relative][0],
            size=stats[r.relative][1],
            digest=r.digest,
            warnings=[w.as_list() for w in r.warnings],
            images=r.images,
            image_copies=r.image_copies,
            inputs=r.inputs,
        )
        for r in results
    )


def _delete_documents(sources) -> None:
    """Delete the posts and pages of ``sources``, and the fragments the build
    keeps of those posts (blog/build/fragments.py): a post's fragments go
    with its row, here, where every post row is deleted. (A post read again
    gets a new row; its fragments are rendered again when a page needs them.)"""
    Post.objects.filter(source__in=sources).delete()
    Page.objects.filter(source__in=sources).delete()
    SummaryFragment.objects.filter(source__in=sources).delete()


def _store(results: list[_FileResult], site: SiteConfig, reach: _Reach) -> None:
    """Replace the posts and pages of ``results`` in a few bulk queries, and
    note in ``reach`` what the new rows change for the whole-site checks."""
    sources = [r.relative for r in results]
    old_claims = _claims(sources)
    old_tags = _tag_labels(sources)
    _delete_documents(sources)
    posts, pages, labels = [], [], {}
    for result in results:
        doc = result.document
        if doc.kind == SKIPPED:
            continue
        common = {
            "source": doc.source_path,
            "slug": doc.slug,
            "title": doc.title,
            "body_html": result.html,
            "toc_html": result.toc_html,
            "summary_html": result.summary_html,
            "description": result.description,
            "image": result.image,
            "image_width": result.image_width,
            "image_height": result.image_height,
            "updated": doc.updated,
            "extra": doc.extra,
            "source_digest": result.digest,
            "link_targets": result.link_targets,
            "rewrites_links": result.rewrites_links,
        }
        if doc.kind == PAGE:
            page = Page(**common, date=doc.date, draft=doc.draft, aliases=doc.aliases)
            page.index_digest = page.digest_indexed()
            page.row_digest = page.digest_row()
            pages.append(page)
            reach.claims |= old_claims.get(doc.source_path) != (doc.slug, list(doc.aliases))
            continue
        local = doc.date.astimezone(site.zone)
        post = Post(
            **common,
            date=doc.date,
            path=doc.path,
            url_year=local.year,
            url_month=local.month,
            draft=doc.draft,
            comments=doc.comments,
            disqus_identifier=doc.disqus_identifier,
            reading_minutes=result.reading_minutes,
            aliases=doc.aliases,
            series=doc.series,
            series_slug=tag_slug(doc.series) if doc.series else "",
        )
        labels[doc.source_path] = list(zip(result.tag_slugs, doc.tags, strict=True))
        reach.claims |= old_claims.get(doc.source_path) != (doc.path, list(doc.aliases))
        # The tags as the author wrote them are part of the post (Post.tag_list);
        # which tags it has, of what the index's lookups answer from.
        post.index_digest = post.digest_indexed(result.tag_slugs)
        post.row_digest = post.digest_row(labels[doc.source_path])
        posts.append(post)
    Page.objects.bulk_create(pages)
    Post.objects.bulk_create(posts)
    if not labels:
        reach.tags |= bool(old_tags)
        return
    wanted = {slug: label for tags in labels.values() for slug, label in reversed(tags)}
    existing = dict(Tag.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    Tag.objects.bulk_create(Tag(slug=slug, name=label) for slug, label in wanted.items() if slug not in existing)
    tag_ids = dict(Tag.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    post_ids = dict(Post.objects.filter(source__in=labels).values_list("source", "pk"))
    links, new_tags = [], {}
    for source, tags in labels.items():
        linked, stored = set(), []
        new_tags[source] = stored
        for position, (slug, label) in enumerate(tags):
            tag_id = tag_ids[slug]
            if tag_id not in linked:
                linked.add(tag_id)
                links.append(PostTag(post_id=post_ids[source], tag_id=tag_id, label=label, position=position))
                stored.append((slug, label))
    PostTag.objects.bulk_create(links)
    # Every source: a post that is now skipped (a theme file) has lost its tags.
    reach.tags |= any(old_tags.get(source, []) != new_tags.get(source, []) for source in sources)


def _claims(sources: list[str]) -> dict[str, tuple[str, list]]:
    """What the stored posts and pages of ``sources`` claim in the output, as
    the clash check reads it: source -> (address, aliases)."""
    rows = output_claims(Post, sources) + output_claims(Page, sources)
    return {source: (address, json_value(aliases)) for source, address, aliases in rows}


def _tag_labels(sources: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The stored posts' tags, as (slug, label) in their order."""
    links = PostTag.objects.filter(post__source__in=sources).order_by("post_id", "position")
    labels: dict[str, list[tuple[str, str]]] = {}
    for source, slug, label in plain_rows(links.values_list("post__source", "tag__slug", "label")):
        labels.setdefault(source, []).append((slug, label))
    return labels


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
    for tag_id, label in plain_rows(PostTag.objects.order_by().values_list("tag_id", "label")):
        spellings[tag_id][label] += 1
    for tag in Tag.objects.all():
        counts = spellings[tag.pk]
        name = min(counts, key=lambda label: (-counts[label], label))
        if name != tag.name:
            Tag.objects.filter(pk=tag.pk).update(name=name)

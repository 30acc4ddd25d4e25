"""The build: content folder in, complete static site out.

1. Read and validate every source and load it into the cache database
   (only files changed since the last build are read and rendered).
2. Collect static files with hashed names.
3. Work out every page's key and render, through django-distill, only the
   pages whose key changed; link the others from the previous output.
4. Copy the content folder's other files (images, CNAME, ...).
5. Swap the staging folder into place.

If nothing at all changed, the output folder is left as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connections, transaction
from django.template import engines
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.functional import empty
from django_distill import request as distill_request
from django_distill.renderer import DistillRenderer, render_uri
from django_distill.request import get_uri_values

from . import fragments, output_dir, reads, template_errors, workers
from .content_sync import MARKDOWN_SUFFIXES, display_path, sync_content
from .errors import ContentErrors, ContentProblem
from .facts import STORE_BATCH, CurrentFacts, FactTable, now_parameter
from .link_check import (
    CHECKED_SUFFIXES,
    Broken,
    Finding,
    LinkChecker,
    PageLinks,
    describe,
    extract,
    find_broken_links,
    first_reports,
)
from .models import QUERY_BATCH, CacheEntry, OutputFile, Page, Post, delete_where_in
from .paths import output_file_for
from .progress import Progress
from .reads import unpack_ids
from .related import related_posts
from .render_keys import code_fingerprint, inputs_key, tree_fingerprint
from .rows import plain_rows
from .site_index import pinned_index
from .site_writer import SiteWriter
from .siteconfig import SITE_FILE, SiteConfig, serve_under_base_path
from .visibility import Visibility, visible

DATABASE_FILE = "blog.sqlite3"
STATIC_DIR = "static"
MANIFEST = "staticfiles.json"
# Files in content/ that are never copied to the output.
NEVER_PUBLISHED = (".py", ".pyc", ".sqlite3", ".sqlite", ".db", ".env", ".toml", ".ini", ".cfg")
# Which output folder the cache describes, and the id of the tree written there.
OUTPUT_ENTRY = "output"
# The last build's broken links, reported again when nothing is rebuilt.
LINK_PROBLEMS = "link_problems"
# Each page's broken links, and the build they are of.
LINK_FINDINGS = "link_findings"
# The inputs of the tree in the output folder.
INPUTS_ENTRY = "inputs"
# Every page's URL, by route and parameters.
URLS_ENTRY = "urls"


@dataclass
class BuildOptions:
    content_dir: Path
    output_dir: Path
    cache_dir: Path
    drafts: bool = False
    future: bool = False
    # Warnings fail the build.
    strict: bool = False


@dataclass
class BuildResult:
    posts: int
    pages: int
    rendered: int
    written: int
    unchanged: int
    seconds: float
    warnings: list[ContentProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.posts} posts, {self.pages} pages: {self.rendered} pages rendered, "
            f"{self.written} files written, {self.unchanged} unchanged, in {self.seconds:.2f} s"
        )


def use_cache_dir(cache_dir: Path) -> None:
    """Point the database at ``cache_dir`` and create its tables if needed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    connection = connections["default"]
    database = str(cache_dir / DATABASE_FILE)
    if connection.settings_dict["NAME"] != database:
        connection.close()
        connection.settings_dict["NAME"] = database
    call_command("migrate", verbosity=0, interactive=False)


def build_site(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    progress = progress or Progress()
    content_dir = options.content_dir.resolve()
    output = options.output_dir.resolve()
    cache_dir = options.cache_dir.resolve()
    if not content_dir.is_dir():
        raise ContentErrors(
            [
                ContentProblem(
                    str(options.content_dir),
                    0,
                    "the content folder does not exist",
                    "create it, or point --content or BLOG_CONTENT_DIR at yours",
                )
            ]
        )
    output_dir.check_replaceable(output)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # One build at a time per cache: a second one waits for this one to end.
    with output_dir.build_lock(cache_dir):
        result, warnings = _build_locked(options, progress, content_dir, output, cache_dir)
    result.seconds = time.perf_counter() - started
    result.warnings = warnings + result.warnings
    return result


def _build_locked(
    options: BuildOptions, progress: Progress, content_dir: Path, output: Path, cache_dir: Path
) -> tuple[BuildResult, list[ContentProblem]]:
    """The build, under the build lock; its result and the content's warnings."""
    use_cache_dir(cache_dir)
    report = sync_content(content_dir, progress)
    site = report.site
    rule = Visibility(drafts=options.drafts, future=options.future, now=timezone.now())
    static_root = cache_dir / STATIC_DIR
    with (
        visible(rule),
        _build_settings(
            # DEBUG off makes {% static %} use the hashed names.
            DEBUG=False,
            STATIC_ROOT=str(static_root),
            STATIC_URL=site.base_path + "static/",
        ),
        DistillRenderer() as renderer,
        _one_wsgi_handler(),
    ):
        serve_under_base_path(True)
        try:
            run = _Run(
                content_dir,
                output,
                static_root,
                site,
                rule,
                progress,
                strict_warnings=report.warnings if options.strict else None,
                content_files=_content_files(content_dir),
            )
            result = _nothing_to_do(run)
            if result is None:
                with pinned_index() as index:
                    result = _write_site(run, index, renderer)
        finally:
            serve_under_base_path(False)
    return result, report.warnings


@dataclass
class _Run:
    """What one build's writing phase works with."""

    content_dir: Path
    output: Path
    static_root: Path
    site: SiteConfig
    rule: Visibility
    progress: Progress
    # With --strict: the content warnings so far, to fail with the rest.
    strict_warnings: list[ContentProblem] | None
    # The files copied from content/, and the ones left out with a warning;
    # the folder is walked once per build.
    content_files: tuple[dict[str, Path], list[ContentProblem]]
    # Everything this build reads, summed up (render_keys.inputs_key).
    inputs: str = ""


@dataclass
class _Plan:
    """Every file of the new site. A copied file's key names its source; a
    page's key is a digest of its bytes, known once it is rendered or reused."""

    keys: dict[str, str] = field(default_factory=dict)
    pages: list[tuple[URLPattern, dict, str, str]] = field(default_factory=list)  # (pattern, params, file, URL)
    # page file -> the Markdown behind it, relative to content/ (paths are made
    # only for the pages with a broken link: thousands of them cost 0.1 s)
    sources: dict[str, str] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)  # static and content files -> their source
    content: set[str] = field(default_factory=set)  # which of the copies come from content/
    skipped: list[ContentProblem] = field(default_factory=list)
    # page file -> the ids of the facts it read (blog/facts.py); None for a
    # page that read something that cannot be recorded.
    reads: dict[str, bytes | None] = field(default_factory=dict)

    @cached_property
    def build_id(self) -> str:
        """Depends only on what the tree holds, so identical builds write identical
        markers, even from two clones whose files have different mtimes: content
        files count by path and size here, not by the mtime in their key."""
        identity = {
            path: (str(self.copies[path].stat().st_size) if path in self.content else key)
            for path, key in self.keys.items()
        }
        return hashlib.blake2b(json.dumps(sorted(identity.items())).encode(), digest_size=16).hexdigest()


def _plan(run: _Run, index, renderer) -> _Plan:
    _collect_static(run.static_root)
    plan = _Plan()
    for pattern, params, uri in _site_urls(renderer):
        relative = output_file_for(uri)
        plan.pages.append((pattern, params, relative, uri))
        source = _source_of(index, pattern.name, params)
        if source:
            plan.sources[relative] = source
    for relative, source in _static_files(run.static_root).items():
        plan.keys[relative] = hashlib.blake2b(source.read_bytes(), digest_size=16).hexdigest()
        plan.copies[relative] = source
    content_files, plan.skipped = run.content_files
    pages = {relative for _pattern, _params, relative, _uri in plan.pages}
    clashes = [relative for relative in content_files if relative in plan.keys or relative in pages]
    if clashes:
        raise ContentErrors(
            [
                ContentProblem(
                    display_path(run.content_dir / relative),
                    0,
                    f"would overwrite the generated file /{relative}",
                    "rename or move the file",
                )
                for relative in clashes
            ]
        )
    for relative, source in content_files.items():
        stat = source.stat()
        plan.keys[relative] = f"{stat.st_size}:{stat.st_mtime_ns}"
        plan.copies[relative] = source
        plan.content.add(relative)
    return plan


def _nothing_to_do(run: _Run) -> BuildResult | None:
    """The result of a build that would write exactly the tree already in
    ``output/``, found without planning a single page; None if there is work."""
    output_dir.remove_leftovers(run.output)
    content_files, skipped = run.content_files
    run.inputs = inputs_key(run.site, run.rule, content_files)
    stored = CacheEntry.read(INPUTS_ENTRY)
    if stored != run.inputs or _trusted_previous(run.output) is None:
        return None
    problems = skipped + [ContentProblem(*p) for p in CacheEntry.objects.get(key=LINK_PROBLEMS).value]
    if run.strict_warnings is not None and (run.strict_warnings or problems):
        raise ContentErrors(run.strict_warnings + problems)
    posts = Post.objects.published().count()
    return BuildResult(posts, Page.objects.count(), 0, 0, OutputFile.objects.count(), 0.0, problems)


def _write_site(run: _Run, index, renderer) -> BuildResult:
    """Plan, render and publish the site."""
    plan = _plan(run, index, renderer)
    previous = _trusted_previous(run.output)
    records = _stored_records() if previous else {}
    stored = {path: key for path, (key, _reads) in records.items()}
    related_posts(index)
    facts = FactTable(run.rule, {id_ for _key, ids in records.values() if ids for id_ in unpack_ids(ids)})
    current = CurrentFacts(index, run.site, run.rule)
    holding = facts.holding(current)
    # A page whose facts all hold would come out as the previous build wrote it.
    for _pattern, _params, relative, _uri in plan.pages:
        key, page_reads = records.get(relative, ("", None))
        if page_reads is not None and holding.issuperset(unpack_ids(page_reads)):
            plan.keys[relative] = key
            plan.reads[relative] = page_reads
    # The new site's files whose key is not the one stored for the previous output.
    rekeyed = {path for path, key in plan.keys.items() if stored.get(path) != key}
    counts = (len(index.posts), len(index.pages))
    strict = run.strict_warnings

    staging, writer = _staging(run, previous, stored)
    try:
        to_render = [
            (relative, uri, pattern.distill_status_codes, pattern.name)
            for pattern, params, relative, uri in plan.pages
            if relative not in plan.keys or not writer.reuse(relative)
        ]
        recorder = reads.Recorder(now_parameter(run.rule), ignored_folders=_read_freely(run.static_root))
        if to_render:
            recorder.stored_fragments = fragments.stored_fragments(holding)
        written = 0
        rendered: dict[str, PageLinks] = {}
        # Fragments rendered by this build, stored as they come.
        fresh_fragments: list[tuple[str, str, str, bytes]] = []
        fresh_keys: set[str] = set()
        run.progress.phase("render pages", len(to_render))
        failed: list[template_errors.PageProblem] = []
        with reads.recording(recorder):
            for result in _render_pages(writer, to_render):
                run.progress.advance()
                if isinstance(result, template_errors.PageProblem):
                    failed.append(result)
                    continue
                page = result
                if page.changed:
                    # Written by a worker process: this writer's own record of
                    # what it wrote anew (for the spare) must hear of it.
                    writer.note_written(page.relative)
                written += page.changed
                rendered[page.relative] = page.links
                plan.keys[page.relative] = page.digest
                plan.reads[page.relative] = page.reads
                facts.add(page.new_facts)
                fresh_fragments += page.fragments
                if len(fresh_fragments) >= STORE_BATCH:
                    fresh_keys |= _store_fragments(facts, fresh_fragments)
        if failed:
            run.progress.end_phase(f"{len({p.page for p in failed})} pages failed")
            raise ContentErrors(template_errors.merged(failed))
        if to_render:
            fresh_keys |= _store_fragments(facts, fresh_fragments)
            fragments.forget_stale(recorder.stored_fragments, fresh_keys)
        run.progress.end_phase(f"{len(to_render)} of {len(plan.pages)} pages")
        run.progress.phase("write", len(plan.copies))
        for relative, source in plan.copies.items():
            written += writer.copy(source, relative, compare_bytes=relative not in plan.content)
            run.progress.advance()
        # Files of the recycled spare that the new site does not have.
        for relative in writer.same - plan.keys.keys() - {output_dir.MARKER}:
            writer.discard(relative)
        # Last: the marker names the tree by every file's key.
        writer.write(output_dir.MARKER, output_dir.marker(plan.build_id))
        links = _link_check(run, plan, previous, stored, rendered)
        problems = plan.skipped + links.problems
        if strict is not None and (strict or problems):
            # --strict: every warning of the run (content, files, links) at once.
            raise ContentErrors(strict + problems)
        output_dir.publish(staging, run.output)
        run.progress.end_phase(f"{written} files changed")
    except BaseException:
        output_dir.discard(staging)
        raise
    with transaction.atomic():
        _remember(run, plan, stored, rekeyed | rendered.keys(), rendered, links)
        if to_render:
            facts.save(current)
    # The replaced site, now the spare, differs from the new one only in the
    # files written anew, added or gone; without a previous site the cache
    # describes, it is made again from every file.
    changed = (writer.fresh | (plan.keys.keys() - stored.keys())) if previous else None
    output_dir.refresh_spare(run.output, changed, stored.keys() - plan.keys.keys())
    return BuildResult(*counts, len(to_render), written, len(plan.keys) - written, 0.0, problems)


def _staging(run: _Run, previous: Path | None, stored: dict[str, str]) -> tuple[Path, SiteWriter]:
    """The folder to build in, with its writer: the spare when it is a copy
    of the previous output the cache describes, so that only the files that
    change are touched; otherwise an empty folder, into which every unchanged
    file is linked from the previous output."""
    if previous is None or not output_dir.is_copy_of(previous):
        staging = output_dir.new_staging_folder(run.output, recycle=False)
        return staging, SiteWriter(staging, previous, empty=True)
    staging = output_dir.new_staging_folder(run.output, recycle=True)
    return staging, SiteWriter(staging, previous, same=stored.keys() | {output_dir.MARKER})


@contextmanager
def _build_settings(**values):
    """Settings in force while the site is built. What django.test's
    override_settings does for these three, without importing django.test and
    the test client at every start-up (about 0.1 s)."""
    saved = {name: getattr(settings, name) for name in values}

    def apply(changes: dict) -> None:
        for name, value in changes.items():
            setattr(settings, name, value)
        # The static storage reads STATIC_ROOT and STATIC_URL once, when first
        # used: make it read them again, as Django's own setting_changed handler does.
        staticfiles_storage._wrapped = empty

    apply(values)
    try:
        yield
    finally:
        apply(saved)


@contextmanager
def _one_wsgi_handler():
    """django-distill builds a new WSGI handler, middleware chain included, for
    every page it renders; one handler serves any number of requests, as it
    does under a real server. Saves about 1 ms a page."""
    application = get_wsgi_application()
    original = distill_request.get_wsgi_application
    distill_request.get_wsgi_application = lambda: application
    try:
        yield
    finally:
        distill_request.get_wsgi_application = original


_writer: SiteWriter | None = None


class _RenderedPage(NamedTuple):
    relative: str
    # Whether its bytes differ from the previous build's file.
    changed: bool
    links: PageLinks
    digest: str
    # The ids of the facts it read (blog/reads.py); None if it read
    # something that cannot be recorded.
    reads: bytes | None
    # Post fragments rendered for it: (template, source, HTML, their facts' ids).
    fragments: list[tuple[str, str, str, bytes]]
    # Facts first named in this worker: id -> (key, digest), for the main process to store.
    new_facts: dict[int, tuple[str, str]]


def _render_one(task: tuple[str, str, tuple[int, ...], str]) -> _RenderedPage | template_errors.PageProblem:
    relative, uri, status_codes, _name = task
    recorder = reads.current()
    try:
        with template_errors.propagating(), recorder.log() as log:
            _status, _headers, body = render_uri(uri, status_codes)
    except Exception as error:
        # A template error comes back as data, to be reported with the others.
        problem = template_errors.problem_for(error, uri)
        if problem is None:
            raise
        recorder.take_fresh_fragments()  # the failed page's, not to be stored
        return problem
    found = extract(body) if relative.endswith(CHECKED_SUFFIXES) else PageLinks()
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    fresh = [
        (name, source, html, recorder.ids(fragment)) for name, source, html, fragment in recorder.take_fresh_fragments()
    ]
    page_reads = None if log.volatile else recorder.ids(log)
    changed = _writer.write(relative, body)
    return _RenderedPage(relative, changed, found, digest, page_reads, fresh, recorder.take_new_facts())


# Pages that list every post: each takes seconds on a large site, where
# most pages take milliseconds.
WHOLE_SITE_PAGES = frozenset({"archive", "sitemap"})


def _is_whole_site(task: tuple[str, str, tuple[int, ...], str]) -> bool:
    return task[3] in WHOLE_SITE_PAGES


def _render_pages(writer: SiteWriter, tasks: list[tuple[str, str, tuple[int, ...], str]]):
    """Render ``tasks`` in worker processes, yielding (file, whether its bytes
    changed, its links, the post fragments rendered for it) as they finish.

    The whole-site pages go first, each to a worker of its own, while the
    other workers share the rest: last, they would be the build's tail (an
    added post re-renders a few hundred list pages, and the archive)."""
    global _writer
    _writer = writer  # forked workers inherit it
    tasks = sorted(tasks, key=lambda task: not _is_whole_site(task))
    try:
        with workers.mapper(len(tasks)) as run:
            yield from run(_render_one, tasks, ordered=False, alone=_is_whole_site)
    finally:
        _writer = None


def _read_freely(static_root: Path) -> tuple[Path, ...]:
    """Folders a page may open files in without becoming volatile: the
    templates and static files, whose use is recorded as facts of their own."""
    engine = engines["django"].engine
    return (static_root, *(Path(folder) for loader in engine.template_loaders for folder in loader.get_dirs()))


def _store_fragments(facts: FactTable, fresh: list[tuple[str, str, str, bytes]]) -> set[str]:
    """Store ``fresh`` fragments, after the facts they name; empties it and
    returns their keys. Stored as they come, not held to the end: at 10,000
    posts they are tens of megabytes."""
    facts.flush()
    fragments.store(fresh)
    keys = {fragments.key(template_name, source) for template_name, source, _html, _ids in fresh}
    fresh.clear()
    return keys


def _any_volatile(plan: _Plan) -> bool:
    return any(plan.reads.get(relative, ()) is None for _pattern, _params, relative, _uri in plan.pages)


def _stored_records() -> dict[str, tuple[str, bytes | None]]:
    """Each file of the previous output: its key and, for a page, its facts."""
    rows = plain_rows(OutputFile.objects.values_list("path", "key", "reads"))
    return {path: (key, page_reads) for path, key, page_reads in rows}


def _site_urls(renderer: DistillRenderer) -> list[tuple[URLPattern, dict, str]]:
    """Every page django-distill would render: (pattern, params, URL), as its
    get_urls_to_render lists them. The URLs are remembered between builds, as
    reversing thousands of them costs about a second, and while the code is the
    same a page's URL depends only on its parameters. (distill itself reverses
    each twice: it tries the name without its namespace first, which for ours
    always fails.)"""
    stored = CacheEntry.read(URLS_ENTRY)
    known = stored["urls"] if stored and stored["code"] == code_fingerprint() else {}
    urls, remembered = [], {}
    for pattern in renderer.urls_to_render:
        name = f"{pattern.distill_namespace}:{pattern.name}" if pattern.distill_namespace else pattern.name
        for params in get_uri_values(pattern.distill_func, pattern.name):
            params = params if isinstance(params, dict) else {}
            # Values are ints and slugs, or a lone alias path: joined, they are unambiguous.
            route = "/".join([name, *map(str, params.values())])
            uri = remembered[route] = known.get(route) or reverse(name, kwargs=params)
            urls.append((pattern, params, uri))
    if remembered != known:
        CacheEntry.write(URLS_ENTRY, {"code": code_fingerprint(), "urls": remembered})
    return urls


def _source_of(index, name: str, params: dict) -> str:
    if name == "post":
        return index.post_at(params["year"], params["month"], params["slug"]).source
    if name == "page":
        return next(page.source for page in index.pages if page.slug == params["slug"])
    return ""


def _stored_links(paths) -> dict[str, PageLinks]:
    if not paths:
        return {}
    rows = OutputFile.objects.values_list("path", "links", "ids")
    if len(paths) <= QUERY_BATCH:
        rows = rows.filter(path__in=list(paths))
    # Otherwise all rows, filtered here: SQLite limits the parameters of a query.
    return {path: PageLinks(links, ids) for path, links, ids in rows if path in paths}


@dataclass
class _LinkCheck:
    broken: dict[str, list[Broken]]
    findings: list[Finding]
    problems: list[ContentProblem]


def _link_check(
    run: _Run, plan: _Plan, previous: Path | None, stored: dict[str, str], rendered: dict[str, PageLinks]
) -> _LinkCheck:
    """Broken links in the new site, found in every page, or, when the last
    build's answer can be brought up to date, in the pages rendered again and
    the links that were broken before."""
    pages = {relative for _pattern, _params, relative, _uri in plan.pages}
    broken = _recheck_links(run, plan, previous, stored, rendered, pages)
    if broken is None:
        links = _stored_links(pages - rendered.keys()) | rendered
        broken = find_broken_links(run.site, links, set(plan.keys))
    findings = first_reports(broken, plan.sources)
    pages_with_source = {finding.page for finding in findings} & plan.sources.keys()
    sources = {page: run.content_dir / plan.sources[page] for page in pages_with_source}
    return _LinkCheck(broken, findings, describe(findings, sources))


def _recheck_links(
    run: _Run, plan: _Plan, previous: Path | None, stored: dict[str, str], rendered: dict[str, PageLinks], pages
) -> dict[str, list[Broken]] | None:
    """The broken links of every page, from the last build's, or None.

    A link on a page that was not rendered again breaks only if the file it
    leads to is gone, or the element id it names is. So while no file is
    gone and no HTML page rendered again lost an id, the unrendered pages' links
    that worked still work; only those that were broken (they may be fixed
    now) and the links of the rendered pages are checked."""
    record = CacheEntry.read(LINK_FINDINGS)
    if not stored or record is None or record.get("build") != output_dir.read_marker(previous):
        return None
    if not stored.keys() <= plan.keys.keys():
        return None
    # Only pages' ids can be linked to (#fragments of feeds are not checked).
    pages_rendered = {page: found for page, found in rendered.items() if page.endswith(".html")}
    if len(pages_rendered) == sum(page.endswith(".html") for page in pages):
        return None  # every page is new: checking them all needs nothing stored
    before = _stored_links(pages_rendered)
    if any(not before[page].id_set <= found.id_set for page, found in pages_rendered.items() if page in before):
        return None
    stored_ids: dict[str, frozenset[str]] = {}

    def ids_of(page: str) -> frozenset[str] | None:
        if page in rendered:
            return rendered[page].id_set
        if page not in pages:
            return None
        if not stored_ids:
            # Loaded once, at the first link to an id on another page (list
            # pages link to every post's comments): one query, not one a page.
            stored_ids.update((path, frozenset(ids)) for path, ids in OutputFile.objects.values_list("path", "ids"))
        return stored_ids.get(page, frozenset())

    checker = LinkChecker(run.site, set(plan.keys), ids_of)
    broken = {}
    for page, entries in record["broken"].items():
        if page not in rendered:
            broken[page] = checker.broken_in(page, [link for link, _target, _reason in entries])
    for page, found in rendered.items():
        broken[page] = checker.broken_in(page, found.links)
    return {page: found for page, found in broken.items() if found}


def _collect_static(static_root: Path) -> None:
    """Run collectstatic unless the static sources are as they were last time."""
    fingerprint = tree_fingerprint(*[Path(d) for d in settings.STATICFILES_DIRS])
    stored = CacheEntry.read("static")
    if stored == fingerprint and (static_root / MANIFEST).is_file():
        return
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    CacheEntry.write("static", fingerprint)


def _static_files(static_root: Path) -> dict[str, Path]:
    """Collected static files, hashed and plain names, without the manifest."""
    manifest = json.loads((static_root / MANIFEST).read_text())
    files = {}
    for original, hashed in sorted(manifest["paths"].items()):
        for name in (original, hashed):
            files[f"{STATIC_DIR}/{name}"] = static_root / name
    return files


def _content_files(content_dir: Path) -> tuple[dict[str, Path], list[ContentProblem]]:
    """Everything in content/ that is not a source: images, favicon, CNAME.

    Sources, settings, hidden files, code and databases are never published;
    a file left out for being code or a database is a warning, in case the
    author meant it as a download."""
    files, skipped = {}, []
    for dirpath, dirnames, filenames in os.walk(content_dir):
        folder = Path(dirpath)
        relative_folder = folder.relative_to(content_dir)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            # Tested on the name first: nearly every file is a source, and
            # this runs over every one of them on every build.
            if name.startswith(".") or name.endswith(MARKDOWN_SUFFIXES):
                continue
            relative = relative_folder / name
            if relative == Path(SITE_FILE):
                continue
            if name.endswith(NEVER_PUBLISHED):
                skipped.append(
                    ContentProblem(
                        display_path(folder / name),
                        0,
                        "not copied to the output: code, databases and settings files are never published",
                        "zip it if you mean it as a download",
                    )
                )
                continue
            files[relative.as_posix()] = folder / name
    return files, skipped


def _trusted_previous(output: Path) -> Path | None:
    """The previous output, if it is the tree the cache describes."""
    entry = CacheEntry.read(OUTPUT_ENTRY)
    if not entry or entry.get("path") != str(output):
        return None
    if output_dir.read_marker(output) != entry.get("build_id"):
        return None
    return output


def _remember(
    run: _Run,
    plan: _Plan,
    stored: dict[str, str],
    changed: set[str],
    rendered: dict[str, PageLinks],
    links: _LinkCheck,
) -> None:
    """Record the tree now in the output folder, for the next build to start from.
    Only rows whose file is new, gone, or made again (``changed``) are written;
    a page rendered again always is, for its facts."""
    with transaction.atomic():
        if stored and len(changed) < len(stored) // 2:
            delete_where_in(OutputFile, "path", (stored.keys() - plan.keys.keys()) | changed)
            found = {path: rendered.get(path, PageLinks()) for path in changed}
        else:
            # Most rows change (a cold build, a template edit): all of them are
            # written again, after one DELETE rather than one per batch; the
            # few pages not rendered again keep the links stored for them.
            found = _stored_links(plan.keys.keys() - rendered.keys()) | rendered
            found = {path: found.get(path, PageLinks()) for path in plan.keys}
            OutputFile.objects.all().delete()
        OutputFile.objects.bulk_create(
            OutputFile(path=path, key=plan.keys[path], reads=plan.reads.get(path), links=page.links, ids=page.ids)
            for path, page in found.items()
        )
        entries = {
            # A page that read what cannot be recorded (a file, the clock)
            # may change with nothing else changing: then no build may be skipped.
            INPUTS_ENTRY: "" if _any_volatile(plan) else run.inputs,
            LINK_PROBLEMS: [p.as_list() for p in links.problems],
            LINK_FINDINGS: {
                "build": plan.build_id,
                "broken": {page: [list(entry) for entry in entries] for page, entries in links.broken.items()},
            },
            OUTPUT_ENTRY: {"path": str(run.output), "build_id": plan.build_id},
        }
        for key, value in entries.items():
            CacheEntry.write(key, value)

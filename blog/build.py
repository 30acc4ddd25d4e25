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
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connections, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_distill import request as distill_request
from django_distill.renderer import DistillRenderer, render_pattern
from django_distill.urls import get_distilled_url_by_name

from . import output_dir, workers
from .content_sync import MARKDOWN_SUFFIXES, display_path, sync_content
from .errors import ContentErrors, ContentProblem
from .link_check import CHECKED_SUFFIXES, PageLinks, check_links, extract
from .models import CacheEntry, OutputFile, Page, Post
from .paths import output_file_for
from .progress import Progress
from .render_keys import PageKeys, inputs_key, site_wide_key, tree_fingerprint
from .site_index import pinned_index
from .site_writer import SiteWriter
from .siteconfig import SITE_FILE, SiteConfig, serve_under_base_path
from .visibility import Visibility, visible

DATABASE_FILE = "blog.sqlite3"
STATIC_DIR = "static"
TRASH_DIR = "trash"
MANIFEST = "staticfiles.json"
# Files in content/ that are never copied to the output.
NEVER_PUBLISHED = (".py", ".pyc", ".sqlite3", ".sqlite", ".db", ".env", ".toml", ".ini", ".cfg")
# Which output folder the cache describes, and the id of the tree written there.
OUTPUT_ENTRY = "output"
# The last build's broken links, reported again when nothing is rebuilt.
LINK_PROBLEMS = "link_problems"
# The inputs of the tree in the output folder.
INPUTS_ENTRY = "inputs"


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

    use_cache_dir(cache_dir)
    report = sync_content(content_dir, progress)
    site = report.site
    rule = Visibility(drafts=options.drafts, future=options.future, now=timezone.now())
    static_root = cache_dir / STATIC_DIR
    with (
        visible(rule),
        override_settings(
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
                trash=cache_dir / TRASH_DIR,
                content_files=_content_files(content_dir),
            )
            result = _nothing_to_do(run)
            if result is None:
                with pinned_index() as index:
                    result = _write_site(run, index, renderer)
        finally:
            serve_under_base_path(False)
    result.seconds = time.perf_counter() - started
    result.warnings = report.warnings + result.warnings
    return result


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
    # Where the previous site goes to be deleted.
    trash: Path
    # The files copied from content/, and the ones left out with a warning;
    # the folder is walked once per build.
    content_files: tuple[dict[str, Path], list[ContentProblem]]
    # Everything this build reads, summed up (render_keys.inputs_key).
    inputs: str = ""


@dataclass
class _Plan:
    """Every file of the new site, with the key of what went into it."""

    keys: dict[str, str] = field(default_factory=dict)
    pages: list[tuple[str, dict, str]] = field(default_factory=list)  # (URL name, params, file)
    sources: dict[str, Path] = field(default_factory=dict)  # page file -> the Markdown behind it
    copies: dict[str, Path] = field(default_factory=dict)  # static and content files -> their source
    content: set[str] = field(default_factory=set)  # which of the copies come from content/
    skipped: list[ContentProblem] = field(default_factory=list)

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
    site_wide = site_wide_key(run.site, run.rule, index)
    page_keys = PageKeys(index, run.site, site_wide)
    plan = _Plan()
    for pattern, params, uri in renderer.get_urls_to_render():
        params = params if isinstance(params, dict) else {}
        relative = output_file_for(uri)
        plan.keys[relative] = page_keys.key(pattern.name, params)
        plan.pages.append((pattern.name, params, relative))
        source = _source_of(index, pattern.name, params)
        if source:
            plan.sources[relative] = run.content_dir / source
    for relative, source in _static_files(run.static_root).items():
        plan.keys[relative] = site_wide
        plan.copies[relative] = source
    content_files, plan.skipped = run.content_files
    clashes = [relative for relative in content_files if relative in plan.keys]
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
    output_dir.empty_trash(run.trash)
    content_files, skipped = run.content_files
    run.inputs = inputs_key(run.site, run.rule, content_files)
    stored = CacheEntry.objects.filter(key=INPUTS_ENTRY).values_list("value", flat=True).first()
    if stored != run.inputs or _trusted_previous(run.output) is None:
        return None
    problems = skipped + [ContentProblem(*p) for p in CacheEntry.objects.get(key=LINK_PROBLEMS).value]
    if run.strict_warnings is not None and (run.strict_warnings or problems):
        raise ContentErrors(run.strict_warnings + problems)
    posts = Post.objects.published().count()
    return BuildResult(posts, Page.objects.count(), 0, 0, OutputFile.objects.count(), 0.0, problems)


def _write_site(run: _Run, index, renderer) -> BuildResult:
    plan = _plan(run, index, renderer)
    previous = _trusted_previous(run.output)
    stored = dict(OutputFile.objects.values_list("path", "key")) if previous else {}
    counts = (len(index.posts), len(index.pages))
    strict = run.strict_warnings

    staging = output_dir.new_staging_folder(run.output)
    try:
        writer = SiteWriter(staging, previous)
        writer.write(output_dir.MARKER, output_dir.marker(plan.build_id))
        to_render = [
            (name, params, relative)
            for name, params, relative in plan.pages
            if not (stored.get(relative) == plan.keys[relative] and writer.reuse(relative))
        ]
        links = _stored_links({relative for _n, _p, relative in plan.pages} - {r for _n, _p, r in to_render})
        written = 0
        run.progress.phase("render pages", len(to_render))
        for relative, changed, found in _render_pages(writer, to_render):
            run.progress.advance()
            written += changed
            links[relative] = found
        run.progress.end_phase(f"{len(to_render)} of {len(plan.pages)} pages")
        run.progress.phase("write", len(plan.copies))
        for relative, source in plan.copies.items():
            written += writer.copy(source, relative, compare_bytes=relative not in plan.content)
            run.progress.advance()
        broken_links = check_links(run.site, links, set(plan.keys), plan.sources)
        problems = plan.skipped + broken_links
        if strict is not None and (strict or problems):
            # --strict: every warning of the run (content, files, links) at once.
            raise ContentErrors(strict + problems)
        output_dir.publish(staging, run.output, run.trash)
        run.progress.end_phase(f"{written} files changed")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _remember(run, plan, links, broken_links)
    return BuildResult(*counts, len(to_render), written, len(plan.keys) - written, 0.0, problems)


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


def _render_one(task: tuple[str, dict, str]) -> tuple[str, bool, PageLinks]:
    name, params, relative = task
    pattern = get_distilled_url_by_name(name, namespace="blog")
    _uri, _filename, _status, _headers, body = render_pattern(pattern, params, None)
    found = extract(body) if relative.endswith(CHECKED_SUFFIXES) else PageLinks()
    return relative, _writer.write(relative, body), found


def _render_pages(writer: SiteWriter, tasks: list[tuple[str, dict, str]]):
    """Render ``tasks`` in worker processes, yielding (file, whether its bytes changed, its links)."""
    global _writer
    _writer = writer  # forked workers inherit it
    try:
        with workers.mapper(len(tasks)) as run:
            yield from run(_render_one, tasks)
    finally:
        _writer = None


def _source_of(index, name: str, params: dict) -> str:
    if name == "post":
        return index.post_at(params["year"], params["month"], params["slug"]).source
    if name == "page":
        return next(page.source for page in index.pages if page.slug == params["slug"])
    return ""


def _stored_links(paths: set[str]) -> dict[str, PageLinks]:
    rows = OutputFile.objects.filter(path__in=paths).values_list("path", "links", "ids") if paths else []
    return {path: PageLinks(links, ids) for path, links, ids in rows}


def _collect_static(static_root: Path) -> None:
    """Run collectstatic unless the static sources are as they were last time."""
    fingerprint = tree_fingerprint(*[Path(d) for d in settings.STATICFILES_DIRS])
    stored = CacheEntry.objects.filter(key="static").values_list("value", flat=True).first()
    if stored == fingerprint and (static_root / MANIFEST).is_file():
        return
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    CacheEntry.objects.update_or_create(key="static", defaults={"value": fingerprint})


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
            relative = relative_folder / name
            if name.startswith(".") or relative == Path(SITE_FILE) or name.endswith(MARKDOWN_SUFFIXES):
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
    entry = CacheEntry.objects.filter(key=OUTPUT_ENTRY).values_list("value", flat=True).first()
    if not entry or entry.get("path") != str(output):
        return None
    if output_dir.read_marker(output) != entry.get("build_id"):
        return None
    return output


def _remember(run: _Run, plan: _Plan, links: dict[str, PageLinks], broken_links: list[ContentProblem]) -> None:
    """Record the tree now in the output folder, for the next build to start from."""
    with transaction.atomic():
        OutputFile.objects.all().delete()
        empty = PageLinks()
        OutputFile.objects.bulk_create(
            OutputFile(path=path, key=key, links=links.get(path, empty).links, ids=links.get(path, empty).ids)
            for path, key in plan.keys.items()
        )
        CacheEntry.objects.update_or_create(key=INPUTS_ENTRY, defaults={"value": run.inputs})
        CacheEntry.objects.update_or_create(key=LINK_PROBLEMS, defaults={"value": [p.as_list() for p in broken_links]})
        CacheEntry.objects.update_or_create(
            key=OUTPUT_ENTRY, defaults={"value": {"path": str(run.output), "build_id": plan.build_id}}
        )

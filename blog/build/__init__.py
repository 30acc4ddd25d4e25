"""The build: content folder in, complete static site out, in stages that
hand one BuildState (state.py) along:

1. sync: read and validate every source and load it into the cache database
   (only files changed since the last build are read and rendered;
   blog/content/sync.py);
2. plan: collect static files with hashed names, list every file of the new
   site, and keep the previous build's pages whose facts all hold (plan.py);
3. render: render, through django-distill, the other pages (render.py);
4. write: copy the static files and the content folder's other files
   (images, CNAME, ...) into the staging folder (write.py);
5. search: index the new site with Pagefind, in the staging folder, unless
   no page it indexes changed (search.py);
6. check: find the broken links (check.py);
7. publish: swap the staging folder into place and record the new tree in
   the cache (publish.py).

If nothing at all changed, the output folder is left as it is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_distill.renderer import DistillRenderer

from ..content.images import IMAGE_CACHE
from ..content.sources import list_content
from ..content.sync import SyncReport, sync_content
from ..errors import ContentErrors, ContentProblem
from ..models import CacheEntry, OutputFile, Page, Post
from ..site_index import pinned_index
from ..siteconfig import serve_under_base_path
from ..visibility import Visibility, visible
from . import collector, output
from .check import check_links
from .fingerprints import inputs_key
from .plan import STATIC_DIR, find_content_files, plan_site
from .progress import Progress
from .publish import INPUTS_ENTRY, LINK_PROBLEMS, publish, record_site, refresh_spare, trusted_previous
from .render import one_wsgi_handler, render_pages, rendering_settings
from .search import index_search
from .state import BuildState, ContentFiles
from .write import open_staging, write_files, write_marker

DATABASE_FILE = "blog.sqlite3"


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
    # Section and template files read and not published (Zola's and Hugo's _index.md).
    skipped: int = 0

    def summary(self) -> str:
        skipped = f" ({self.skipped} section or template files skipped)" if self.skipped else ""
        return (
            f"{self.posts} posts, {self.pages} pages{skipped}: {self.rendered} pages rendered, "
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
    # Asked first: the migrate command costs 20 ms even with nothing to do.
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)


def build_site(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    progress = progress or Progress()
    content_dir = options.content_dir.resolve()
    output_folder = options.output_dir.resolve()
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
    output.check_replaceable(output_folder)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # One build at a time per cache: a second one waits for this one to end.
    with output.build_lock(cache_dir), collector.paused():
        result, warnings = _build_locked(options, progress, content_dir, output_folder, cache_dir)
    result.seconds = time.perf_counter() - started
    result.warnings = warnings + result.warnings
    return result


def _sync(content_dir: Path, progress: Progress, image_cache: Path) -> tuple[SyncReport, ContentFiles]:
    """Sync the content, and find the files the site publishes, from one walk
    of the content folder. The walk (a tuple per file) is dropped on return:
    it held 4 MB for the rest of a build at 10,000 posts."""
    files = list_content(content_dir)
    return sync_content(content_dir, progress, image_cache, files), find_content_files(content_dir, files)


def _build_locked(
    options: BuildOptions, progress: Progress, content_dir: Path, output_folder: Path, cache_dir: Path
) -> tuple[BuildResult, list[ContentProblem]]:
    """The build, under the build lock; its result and the content's warnings."""
    use_cache_dir(cache_dir)
    image_cache = cache_dir / IMAGE_CACHE
    report, content_files = _sync(content_dir, progress, image_cache)
    site = report.site
    rule = Visibility(drafts=options.drafts, future=options.future, now=timezone.now())
    static_root = cache_dir / STATIC_DIR
    with (
        visible(rule),
        rendering_settings(
            # DEBUG off makes {% static %} use the hashed names.
            DEBUG=False,
            STATIC_ROOT=str(static_root),
            STATIC_URL=site.base_path + "static/",
        ),
        DistillRenderer() as renderer,
        one_wsgi_handler(),
    ):
        serve_under_base_path(True)
        try:
            state = BuildState(
                content_dir,
                output_folder,
                static_root,
                site,
                rule,
                progress,
                strict_warnings=report.warnings if options.strict else None,
                content_files=content_files,
                image_cache=image_cache,
            )
            result = unchanged_result(state)
            if result is None:
                with pinned_index() as index:
                    result = _build_and_publish(state, index, renderer)
        finally:
            serve_under_base_path(False)
    result.skipped = report.skipped
    return result, report.warnings


def unchanged_result(state: BuildState) -> BuildResult | None:
    """Remove what earlier builds left beside the output folder; then, if this
    build would write exactly the tree already in it, the result of the build,
    found without planning a single page. None if there is work."""
    output.remove_leftovers(state.output)
    content_files, skipped = state.content_files
    state.inputs = inputs_key(state.site, state.rule, content_files)
    stored = CacheEntry.read(INPUTS_ENTRY)
    if stored != state.inputs or trusted_previous(state.output) is None:
        return None
    problems = skipped + [ContentProblem(*p) for p in CacheEntry.objects.get(key=LINK_PROBLEMS).value]
    if state.strict_warnings is not None and (state.strict_warnings or problems):
        raise ContentErrors(state.strict_warnings + problems)
    posts = Post.objects.published().count()
    return BuildResult(posts, Page.objects.count(), 0, 0, OutputFile.objects.count(), 0.0, problems)


def _build_and_publish(state: BuildState, index, renderer: DistillRenderer) -> BuildResult:
    """Plan, render, write, check and publish the site. A build that fails
    before it publishes leaves the output folder as it was."""
    index.use_content_files(state.content_files.files)
    plan_site(state, index, renderer)
    open_staging(state)
    try:
        render_pages(state)
        write_files(state)
        index_search(state)
        write_marker(state)
        links = check_links(state)
        problems = state.plan.skipped + links.problems
        if state.strict_warnings is not None and (state.strict_warnings or problems):
            # --strict: every warning of the build (content, files, links) at once.
            raise ContentErrors(state.strict_warnings + problems)
        publish(state)
    except BaseException:
        output.discard(state.staging)
        raise
    record_site(state, links)
    refresh_spare(state)
    plan = state.plan
    return BuildResult(
        state.posts, state.pages, len(state.to_render), state.written, len(plan.keys) - state.written, 0.0, problems
    )

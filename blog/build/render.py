"""The render stage: the pages whose facts changed are rendered through
django-distill, in worker processes, and written as they come; the facts
each read, and the post fragments rendered for them, are stored."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.utils.functional import empty
from django_distill import request as distill_request
from django_distill.renderer import render_uri

from .. import reads
from ..errors import ContentErrors
from ..reads.facts import STORE_BATCH, FactTable, TrustedFacts, now_parameter
from . import fragments, template_errors, workers
from .links import CHECKED_SUFFIXES, PageLinks, extract
from .state import BuildState, RenderTask
from .writer import SiteWriter

# Pages that list every post: each takes seconds on a large site, where
# most pages take milliseconds.
WHOLE_SITE_PAGES = frozenset({"archive", "sitemap"})


class _RenderedPage(NamedTuple):
    relative: str
    # Whether its bytes differ from the previous build's file.
    changed: bool
    links: PageLinks
    digest: str
    # The ids of the facts it read (blog/reads/recorder.py); None if it read
    # something that cannot be recorded.
    reads: bytes | None
    # Post fragments rendered for it: (template, source, HTML, their facts' ids).
    fragments: list[tuple[str, str, str, bytes]]
    # Facts first named in this worker: id -> (key, digest), for the main process to store.
    new_facts: dict[int, tuple[str, str, str]]


def render_pages(state: BuildState) -> None:
    """Render every page the plan has no key for, or whose previous file the
    writer cannot reuse; write each, and store the facts and fragments it read."""
    plan, writer, facts = state.plan, state.writer, state.facts
    state.to_render = [
        RenderTask(page.relative, page.uri, page.pattern.distill_status_codes, page.pattern.name)
        for page in plan.pages
        if page.relative not in plan.keys or not writer.reuse(page.relative)
    ]
    recorder = reads.Recorder(now_parameter(state.rule), ignored_folders=_read_freely(state.static_root))
    recorder.trusted = state.trusted
    # Fragments rendered by this build, stored as they come.
    fresh_fragments: list[tuple[str, str, str, bytes]] = []
    state.progress.phase("render pages", len(state.to_render))
    failed: list[template_errors.PageProblem] = []
    with reads.recording(recorder):
        for result in _render_in_workers(writer, state.to_render, state.trusted):
            state.progress.advance()
            if isinstance(result, template_errors.PageProblem):
                failed.append(result)
                continue
            page = result
            if page.changed:
                # Written by a worker process: this writer's own record of
                # what it wrote anew (for the spare) must hear of it.
                writer.note_written(page.relative)
            state.written += page.changed
            state.rendered[page.relative] = page.links.shared()
            plan.keys[page.relative] = page.digest
            plan.reads[page.relative] = page.reads
            facts.add(page.new_facts)
            fresh_fragments += page.fragments
            if len(fresh_fragments) >= STORE_BATCH:
                _store_fragments(facts, fresh_fragments)
    if failed:
        state.progress.end_phase(f"{len({p.page for p in failed})} pages failed")
        raise ContentErrors(template_errors.merged(template_errors.named_in(p, state.content_dir) for p in failed))
    if state.to_render:
        _store_fragments(facts, fresh_fragments)
    state.progress.end_phase(f"{len(state.to_render)} of {len(plan.pages)} pages")


# The writer of the build under way. Pages are written by the worker that
# renders them, and the workers are forked once the writer is set, so each
# inherits it: passed with each batch of tasks instead, it would be pickled
# every time, with its set of every file of the previous output.
_writer: SiteWriter | None = None


def _render_one(task: RenderTask) -> _RenderedPage | template_errors.PageProblem:
    recorder = reads.current()
    recorder.page = task.relative
    try:
        with template_errors.propagating(), recorder.log() as log:
            _status, _headers, body = render_uri(task.uri, task.status_codes)
    except Exception as error:
        # A template error comes back as data, to be reported with the others.
        problem = template_errors.problem_for(error, task.uri)
        if problem is None:
            raise
        recorder.take_fresh_fragments()  # the failed page's, not to be stored
        return problem
    found = extract(body) if task.relative.endswith(CHECKED_SUFFIXES) else PageLinks()
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    fresh = recorder.take_fresh_fragments()
    page_reads = None if log.volatile else recorder.ids(log)
    changed = _writer.write(task.relative, body)
    return _RenderedPage(task.relative, changed, found, digest, page_reads, fresh, recorder.take_new_facts())


def _is_whole_site(task: RenderTask) -> bool:
    return task.route in WHOLE_SITE_PAGES


def _render_in_workers(writer: SiteWriter, tasks: list[RenderTask], trusted: TrustedFacts):
    """Render ``tasks`` in worker processes, yielding a _RenderedPage (or the
    PageProblem of a page that failed) for each as they finish. The workers
    inherit the ``trusted`` facts' set, made before they fork.

    The whole-site pages go first, each to a worker of its own, while the
    other workers share the rest: last, they would be the build's tail (an
    added post re-renders a few hundred list pages, and the archive)."""
    global _writer
    _writer = writer  # forked workers inherit it
    tasks = sorted(tasks, key=lambda task: not _is_whole_site(task))
    try:
        with workers.mapper(len(tasks), before_fork=trusted.gather) as map_in_workers:
            yield from map_in_workers(_render_one, tasks, ordered=False, alone=_is_whole_site)
    finally:
        _writer = None


def _read_freely(static_root: Path) -> tuple[Path, ...]:
    """Folders a page may open files in without becoming volatile: the
    templates and static files, whose use is recorded as facts of their own."""
    engine = engines["django"].engine
    return (static_root, *(Path(folder) for loader in engine.template_loaders for folder in loader.get_dirs()))


def _store_fragments(facts: FactTable, fresh: list[tuple[str, str, str, bytes]]) -> None:
    """Store ``fresh`` fragments, after the facts they name, and empty it.
    Stored as they come, not held to the end: at 10,000 posts they are tens
    of megabytes."""
    facts.flush()
    fragments.store(fresh)
    fresh.clear()


@contextmanager
def rendering_settings(**values):
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
def one_wsgi_handler():
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

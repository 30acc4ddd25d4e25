"""The live preview behind ``manage.py runserver``.

The preview serves the content folder as it is now, through the same views and
templates as the build:

- every request first syncs the content folder into the preview's own database
  (a stat scan: only changed files are read), so a saved post shows on the next
  request, with no build; once the file watcher is known to be watching, only
  a request after a change it reported does (sync_for_request);
- drafts and scheduled posts are shown, with the badges the templates draw;
- a content error, or an error in a template, is shown as a page listing every
  problem in the words the build prints, until the file is fixed;
- django-browser-reload reloads the browser when a template or static file
  changes, and this module makes it do the same for anything in the content
  folder: as soon as the file watcher (django-watchfiles) reports the change,
  a thread syncs it and loads the site index, then tells the browser, so that
  the reloaded page finds everything ready;
- with Pagefind (``search`` in site.toml), ``/pagefind/`` serves a bundle made
  for the preview from its own pages, again after each change
  (blog/preview_search.py).

Everywhere else (the build, the tests) ``PreviewMiddleware`` removes itself.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from pathlib import Path
from typing import Any

import django_browser_reload
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import got_request_exception
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import include, path, reverse
from django.utils.autoreload import BaseReloader, autoreload_started, file_changed
from django.utils.html import format_html, format_html_join
from django.views.static import serve
from django_browser_reload.views import should_reload_event

from . import urls as site_urls
from .build import collector, template_errors, use_cache_dir
from .content.sources import ContentFile, list_content
from .content.sync import sync_content
from .errors import ContentErrors
from .preview_files import PublishedFiles, output_path
from .preview_search import SEARCH_SUBDIR, PreviewSearch, serve_bundle_file
from .search_bundle import BUNDLE_DIR
from .site_index import site_index
from .siteconfig import active_site
from .visibility import Visibility, set_default

# The preview keeps its own database inside the cache folder, so a build run
# at the same time never reads a half-synced preview (drafts included).
CACHE_SUBDIR = "preview"
# The reload machinery's URLs. Nothing the site publishes starts with "__".
RELOAD_PREFIX = "__reload__/"
# django-browser-reload's two scripts, served from the package itself: the app
# is not installed, so that collectstatic never copies them into a build.
RELOAD_SCRIPTS = Path(django_browser_reload.__file__).resolve().parent / "static" / "django-browser-reload"
# Where the exception that turned a request into a 500 page is kept, on the request.
EXCEPTION_ATTRIBUTE = "preview_exception"

_content_dir: Path | None = None
# runserver answers requests in threads; one sync at a time, so that SQLite
# never sees two writers and a file is never read twice for one change.
_sync_lock = threading.Lock()
# The content folder's files as they were at the last sync without errors.
_synced_files: tuple[ContentFile, ...] | None = None
# Pagefind's bundle of the content as it is now (blog/preview_search.py).
_search: PreviewSearch | None = None
# The images and other files the site publishes (blog/preview_files.py).
_files: PublishedFiles | None = None
# What was last printed to the console, so each problem is printed once, not
# once per request.
_last_report: list[str] = []
# Set by the file watcher when something in the content folder changed; the
# thread that prepares the change then syncs it and reloads the browser.
_content_saved = threading.Event()
# How many changes in the content folder the file watcher has reported, and
# how many it had reported when the last sync without errors began to walk
# the folder (sync_for_request).
_reported = 0
_walked_at = 0
_preparing: threading.Thread | None = None


def configure(content_dir: Path) -> None:
    """Make this process a preview of ``content_dir``. Call before the server starts:
    the reloader thread asks which files to watch as soon as it runs."""
    global _content_dir, _files
    _content_dir = content_dir.resolve()
    _files = PublishedFiles(_content_dir)
    set_default(Visibility(drafts=True, future=True))
    autoreload_started.connect(_watch_content, dispatch_uid="blog_preview")
    file_changed.connect(_content_changed, dispatch_uid="blog_preview")
    got_request_exception.connect(_keep_exception, dispatch_uid="blog_preview")


def content_dir() -> Path | None:
    return _content_dir


def open_database(cache_dir: Path) -> Path:
    """Point the database at the preview's own folder and create its tables."""
    global _search
    folder = cache_dir / CACHE_SUBDIR
    use_cache_dir(folder)
    templates = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    _search = PreviewSearch(folder / SEARCH_SUBDIR, [_content_dir, *templates], list_content)
    return folder


def sync() -> None:
    """Bring the preview's database in line with the content folder.

    Raises ContentErrors; the database then keeps the last good state.
    """
    global _synced_files, _walked_at
    with _sync_lock:
        # Read before the walk: a change reported from here on may have come
        # after the walk passed its file.
        reported = _reported
        # One walk of the folder, a few hundredths of a second at 10,000
        # posts: much cheaper than a sync, which also asks the database about
        # every file; and the sync is handed the same walk.
        files = list_content(_content_dir)
        if files == _synced_files:
            # Nothing saved since the last good sync.
            _walked_at = reported
            return
        try:
            report = sync_content(_content_dir, files=files)
        except ContentErrors as errors:
            _synced_files = None
            _print_once([str(problem) for problem in errors.problems])
            raise
        _synced_files = files
        _walked_at = reported
        _print_once([f"warning: {warning}" for warning in report.warnings])


def sync_for_request() -> None:
    """The sync each request makes first; none when the file watcher has
    reported no change in the content folder since the last good sync began
    its walk, and had reported one before it (so it was watching while the
    folder was walked: a change the walk missed was reported after it).

    A saved post is synced by the thread that reloads the browser
    (_prepare_changes); its reload, and the images and other files the page
    then asks for, would each walk the folder again to find nothing new:
    0.05-0.1 s of the 0.44 s from save to screen at 10,000 posts
    (docs/benchmarks.md, issue 17, session 21). Without the watcher
    (``runserver --noreload``), and until it first reports a change, every
    request walks the folder."""
    if 0 < _walked_at == _reported and _synced_files is not None:
        return
    sync()


def _print_once(lines: list[str]) -> None:
    global _last_report
    if lines == _last_report:
        return
    if not lines:
        sys.stderr.write("The content has no problems any more.\n")
    for line in lines:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
    _last_report = lines


class PreviewMiddleware:
    """Sync the content before each request; show content errors and template
    errors as a page; add the live-reload script to every HTML page."""

    def __init__(self, get_response):
        if _content_dir is None:
            raise MiddlewareNotUsed("only the preview server syncs on each request")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # The preview's URLs: the site's, plus the reload machinery's.
        request.urlconf = __name__
        if request.path_info.startswith("/" + RELOAD_PREFIX):
            # The event stream must keep working while the content is broken,
            # or the page could not reload itself once the author fixes it.
            return self.get_response(request)
        try:
            sync_for_request()
        except ContentErrors as errors:
            response = error_page(errors)
        else:
            published = published_file(request)
            if published is not None:
                return published
            response = self.get_response(request)
            problem = _template_problem(request)
            if problem is not None:
                response = error_page(ContentErrors(template_errors.merged([problem])))
        add_reload_script(response)
        return response


def published_file(request: HttpRequest) -> HttpResponseBase | None:
    """An image or other file the built site publishes at this path, or, for
    a link written with the site's base path (post bodies are), a redirect to
    the page the preview serves from its root."""
    if request.method not in ("GET", "HEAD"):
        return None
    base_path = active_site().base_path
    # No file is published at a folder's path (a page's). Finding the files
    # goes over every post once per change, which the reload of a saved post
    # should not wait for.
    found = None if request.path_info.endswith("/") else _files.find(request.path_info, base_path, _synced_files)
    if found is not None:
        return FileResponse(found.open("rb"))
    relative = output_path(request.path_info, base_path)
    if relative != request.path_info.lstrip("/"):
        return HttpResponseRedirect("/" + relative)
    return None


def _keep_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django's handler, about to answer an exception with a 500 page, sends
    this signal from inside its ``except`` block: the page can only be replaced
    afterwards, and only the exception says whether a template caused it."""
    if request is not None:
        setattr(request, EXCEPTION_ATTRIBUTE, sys.exc_info()[1])


def _template_problem(request: HttpRequest) -> template_errors.PageProblem | None:
    """The template error that broke this request's page, if that is what broke it."""
    error = getattr(request, EXCEPTION_ATTRIBUTE, None)
    return None if error is None else template_errors.problem_for(error, request.path)


def error_page(errors: ContentErrors) -> HttpResponse:
    count = len(errors.problems)
    items = format_html_join("\n", "<li><code>{}</code></li>", ((str(problem),) for problem in errors.problems))
    return HttpResponse(
        format_html(ERROR_PAGE, count=count, plural="" if count == 1 else "s", items=items),
        status=500,
    )


ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{count} problem{plural} in the content</title>
<style>
body {{ margin: 2rem auto; max-width: 60rem; padding: 0 1rem; font: 1rem/1.6 system-ui, sans-serif; }}
h1 {{ font-size: 1.5rem; }}
ul {{ padding: 0; list-style: none; }}
li {{ margin: 0 0 0.75rem; padding: 0.5rem 0.75rem; border-left: 4px solid #c2410c; }}
code {{ font: 0.95rem/1.5 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }}
</style>
</head>
<body>
<main>
<h1>{count} problem{plural} in the content</h1>
<ul class="content-problems">
{items}
</ul>
<p>Fix the file{plural} and save: this page reloads by itself.
<code>manage.py build</code> stops on the same problems.</p>
</main>
</body>
</html>
"""


def reload_script() -> str:
    """django-browser-reload's listener, pointed at the preview's URLs."""
    return format_html(
        '<script src="{}" data-worker-script-path="{}" data-events-path="{}" defer></script>',
        reverse("preview_reload_listener", urlconf=__name__),
        reverse("preview_reload_worker", urlconf=__name__),
        reverse("django_browser_reload:events", urlconf=__name__),
    )


def add_reload_script(response: HttpResponseBase) -> None:
    """Insert the reload script before ``</body>`` in an HTML response."""
    if response.streaming or response.get("Content-Type", "").split(";")[0] != "text/html":
        return
    content = response.content.decode(response.charset)
    head, body_end, tail = content.rpartition("</body>")
    if not body_end:
        return
    response.content = head + reload_script() + body_end + tail
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))


def _watch_content(sender: BaseReloader, **kwargs: Any) -> None:
    sender.watch_dir(_content_dir, "**/*")
    # Before Python 3.13, django-watchfiles matches "**/*" with fnmatch, which
    # only matches paths with a "/": a file at the top of a watched folder
    # (site.toml, templates/base.html) would never be reported. "*" matches
    # those. Django's and django-browser-reload's receivers, connected when
    # they were imported, have added their folders by now.
    for directory, patterns in list(sender.directory_globs.items()):
        if "**/*" in patterns:
            sender.watch_dir(directory, "*")


def _content_changed(file_path: Path, **kwargs: Any) -> bool | None:
    """Reload the browser, not the server, when something in the content folder changes.

    New and deleted files count too: the file watcher reports the file itself
    (Django's StatReloader, without django-watchfiles, reports its folder).
    """
    global _reported
    if _content_dir is None or not (file_path == _content_dir or _content_dir in file_path.parents):
        return None
    # Counted even when ignored below: the walk lists files ending in "~".
    _reported += 1
    if file_path.name.startswith(".") or file_path.name.endswith("~"):
        # Editors' swap and backup files change while the author types.
        return True
    _prepare_soon()
    # True tells Django's autoreloader the change is handled: no restart.
    return True


def _prepare_soon() -> None:
    """Sync the change now, then reload the browser: the reloaded page then
    finds the database and the site index up to date, rather than bringing
    them up to date while the author waits. The page's own request still
    syncs, as every request does, and finds nothing left to do."""
    global _preparing
    _content_saved.set()
    if _preparing is None:
        # The watcher's thread must not wait for a sync: it would hear of the
        # next change late.
        _preparing = threading.Thread(target=_prepare_changes, name="preview-sync", daemon=True)
        _preparing.start()


def _prepare_changes() -> None:
    while True:
        _content_saved.wait()
        # The files one save touches arrive together; each one that arrives
        # during a sync makes one more sync, and all of them one reload.
        while _content_saved.is_set():
            _content_saved.clear()
            # A problem is for the page to show: its request syncs again and
            # meets it. The collector would walk the old and the new index
            # while the author waits (blog/build/collector.py).
            with contextlib.suppress(Exception), collector.paused():
                sync()
                site_index()
        # No debounce (django-browser-reload waits 0.05 s for the files of a
        # save to settle): the file watcher reports them together, and they
        # are synced by now.
        should_reload_event.set()


# The preview's URL configuration (PreviewMiddleware sets request.urlconf).
urlpatterns = [
    path(RELOAD_PREFIX, include("django_browser_reload.urls")),
    path(
        RELOAD_PREFIX + "reload-listener.js",
        serve,
        {"path": "reload-listener.js", "document_root": RELOAD_SCRIPTS},
        name="preview_reload_listener",
    ),
    path(
        RELOAD_PREFIX + "reload-worker.js",
        serve,
        {"path": "reload-worker.js", "document_root": RELOAD_SCRIPTS},
        name="preview_reload_worker",
    ),
    # Search, with a bundle made for the preview (the site's search.js asks).
    path(f"{BUNDLE_DIR}/<path:path>", lambda request, path: serve_bundle_file(request, path, _search)),
    *site_urls.urlpatterns,
]
handler404 = site_urls.handler404

"""Search in the live preview: a Pagefind bundle of the content as it is now.

The preview has no output folder to index, so the first request for a file
of ``/pagefind/`` after a change (a search typed in the page: the page itself
never waits for it) renders every post and page through the preview's own
views, as the build would, into ``<cache>/preview/search/pages/``, and runs
Pagefind over them into ``.../bundle/``. Both live beside the preview's
database and are made again only when the content folder or a template
changed since. The bundle's URLs are the pages' paths at "/", where the
preview serves them; drafts and scheduled posts are found too, as the preview
shows them.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from django.http import Http404, HttpRequest
from django.views.static import serve

from .paths import output_file_for
from .search_bundle import SHARDS_FILE, shards_manifest, write_bundle
from .site_index import site_index
from .siteconfig import active_site

SEARCH_SUBDIR = "search"


class PreviewSearch:
    """The preview's bundle, made again when what it was made from changed."""

    def __init__(self, folder: Path, sources: list[Path], snapshot) -> None:
        """``folder``: where to keep the pages and the bundle; ``snapshot(path)``
        sums up a folder's files (``list_content``, as the preview's sync), for the
        content folder and each of ``sources`` (the templates)."""
        self.folder = folder
        self.sources = sources
        self.snapshot = snapshot
        self._made_from = None
        # runserver answers in threads: one bundle made at a time.
        self._lock = threading.Lock()

    def bundle(self) -> Path:
        with self._lock:
            state = tuple(self.snapshot(source) for source in self.sources)
            if state != self._made_from or not (self.folder / "bundle").is_dir():
                self._make()
                self._made_from = state
        return self.folder / "bundle"

    def _make(self) -> None:
        pages, fresh, bundle = self.folder / "pages", self.folder / "bundle-fresh", self.folder / "bundle"
        for folder in (pages, fresh):
            shutil.rmtree(folder, ignore_errors=True)
        # The same views and templates the reader sees; the middleware syncs
        # the content first, as for any request.
        # Imported here: every build loads this module (the preview's middleware
        # is in the settings), and django.test costs it about 15 ms.
        from django.test import Client

        client = Client(HTTP_HOST="127.0.0.1")
        index = site_index()
        for item in [*index.posts, *index.pages]:
            url = item.get_absolute_url()
            response = client.get(url)
            if response.status_code != 200:
                continue  # the page shows its own error when visited
            target = pages / output_file_for(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(response.content)
        write_bundle(pages, fresh)
        # One shard: the preview indexes every page each time anyway.
        (fresh / SHARDS_FILE).write_bytes(shards_manifest([]))
        shutil.rmtree(bundle, ignore_errors=True)
        fresh.rename(bundle)


def serve_bundle_file(request: HttpRequest, path: str, search: PreviewSearch):
    """A file of the bundle, made first if the content changed; 404 when the
    site does not use Pagefind."""
    if not active_site().uses_pagefind:
        raise Http404("this site does not use Pagefind (search in site.toml)")
    return serve(request, path, document_root=str(search.bundle()))

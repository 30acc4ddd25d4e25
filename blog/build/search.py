"""The search stage: Pagefind's index of the new site, made inside the staging
folder, so that it is published with the site in the same atomic swap.

Pagefind indexes the pages that carry ``data-pagefind-body`` (posts and
pages). Its output is the same, byte for byte, for the same pages (tested in
tests/test_search_index.py), so it is skipped when no such page changed:
those it indexed last time are the ones the previous build recorded, with the
same keys (a digest of the page's bytes). The previous bundle's files are
then kept as they are, and an unchanged site stays unchanged, file for file.
When it does run, each file of the new bundle that is the same as the
previous one is linked from the previous output, keeping its modification
time, so publishing uploads only what changed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from ..content.sources import display_path
from ..errors import ContentErrors, ContentProblem
from ..models import CacheEntry
from ..search_bundle import BUNDLE_DIR, SearchIndexError, is_bundle_file, pagefind_version, write_bundle
from .publish import SEARCH_ENTRY
from .state import BuildState
from .writer import link_or_copy

# What makes a page one Pagefind indexes. Looked for in the page's bytes: a
# post that merely mentions the attribute costs a needless index run, never a
# wrong index.
INDEXED_MARK = b"data-pagefind-body"
# Where Pagefind writes, inside the staging folder, before its files are
# moved into place one by one; and the pages it reads.
FRESH_BUNDLE = ".pagefind-fresh"
INDEXED_PAGES = ".pagefind-pages"


def index_search(state: BuildState) -> None:
    """Put the search bundle into the staging folder and the plan, or none
    if the site does not use Pagefind."""
    if not state.site.uses_pagefind:
        state.search_record = None
        return
    _refuse_clashes(state)
    state.progress.phase("search index", 1)
    record = CacheEntry.read(SEARCH_ENTRY) if state.previous else None
    indexed = _indexed_pages(state, record)
    if _still_current(state, record, indexed):
        files = record["files"]
        for relative, key in files.items():
            state.writer.reuse(relative)
            state.plan.keys[relative] = key
        detail = f"no indexed page changed: {len(files)} files kept"
    else:
        files = _make_bundle(state, indexed)
        detail = f"{len(indexed)} pages indexed, {len(files)} files"
    state.search_record = {"made_by": pagefind_version(), "pages": indexed, "files": files}
    state.progress.end_phase(detail)


def _refuse_clashes(state: BuildState) -> None:
    """A file of the content folder where the bundle goes would be overwritten."""
    clashes = sorted(relative for relative in state.plan.content if is_bundle_file(relative))
    if clashes:
        raise ContentErrors(
            [
                ContentProblem(
                    display_path(state.content_dir / relative),
                    0,
                    f"would be overwritten by Pagefind's search index in /{BUNDLE_DIR}/",
                    f'move the file out of {BUNDLE_DIR}/, or set search = "google" in site.toml',
                )
                for relative in clashes
            ]
        )


def _indexed_pages(state: BuildState, record: dict | None) -> dict[str, str]:
    """The new site's pages Pagefind indexes, with their keys. A page with the
    key it had in the previous output is indexed if it was then; only the
    pages written anew are read."""
    plan = state.plan
    before = record["pages"] if record else {}
    indexed = {}
    for page in plan.pages:
        relative = page.relative
        key = plan.keys[relative]
        if before.get(relative) == key:
            indexed[relative] = key
        elif record is not None and state.stored.get(relative) == key:
            continue  # the same bytes as in the previous output, which did not index it
        elif relative.endswith(".html") and INDEXED_MARK in (state.staging / relative).read_bytes():
            indexed[relative] = key
    return indexed


def _still_current(state: BuildState, record: dict | None, indexed: dict[str, str]) -> bool:
    """Whether the previous output's bundle is the one Pagefind would make now.
    With no marked page at all Pagefind indexes every page's body, which this
    cannot follow: it then runs every time."""
    return (
        record is not None
        and bool(indexed)
        and record["made_by"] == pagefind_version()
        and record["pages"] == indexed
        and all(state.stored.get(relative) == key for relative, key in record["files"].items())
    )


def _make_bundle(state: BuildState, indexed: dict[str, str]) -> dict[str, str]:
    """Run Pagefind over the indexed pages of the staging folder; move its
    files into place."""
    staging, plan, writer = state.staging, state.plan, state.writer
    fresh, pages = staging / FRESH_BUNDLE, staging / INDEXED_PAGES
    for folder in (fresh, pages):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        try:
            write_bundle(_only_indexed(staging, pages, indexed), fresh)
        except SearchIndexError as error:
            raise ContentErrors(
                [
                    ContentProblem(
                        BUNDLE_DIR, 0, str(error), 'set search = "google" in site.toml to build without the index'
                    )
                ]
            ) from None
        files = {}
        for source in sorted(path for path in fresh.rglob("*") if path.is_file()):
            relative = f"{BUNDLE_DIR}/{source.relative_to(fresh).as_posix()}"
            data = source.read_bytes()
            files[relative] = plan.keys[relative] = hashlib.blake2b(data, digest_size=16).hexdigest()
            state.written += writer.place(source, data, relative)
            if state.stored.get(relative) != files[relative]:
                state.rekeyed.add(relative)
    finally:
        for folder in (fresh, pages):
            shutil.rmtree(folder, ignore_errors=True)
    return files


def _only_indexed(staging: Path, pages: Path, indexed: dict[str, str]) -> Path:
    """A folder of links to the pages Pagefind indexes, at their paths, for it
    to read: it would otherwise parse every list page of the site only to find
    no ``data-pagefind-body`` in it (a quarter of the HTML at 10,000 posts).
    With no marked page, Pagefind indexes every page's body: the staging folder."""
    if not indexed:
        return staging
    for relative in indexed:
        target = pages / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(staging / relative, target)
    return pages

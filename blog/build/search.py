"""The search stage: Pagefind's index of the new site, made inside the staging
folder, so that it is published with the site in the same atomic swap.

Pagefind indexes the pages that carry ``data-pagefind-body`` (posts and
pages). It has no incremental mode, so the index is in shards
(docs/search.md): each page goes, by a hash of its path, to one of
``shard_count`` shards, each its own Pagefind bundle; the first shard with
pages is the primary bundle in /pagefind/, the others are in
/pagefind/shard-<n>/, and /pagefind/shards.json lists them for the browser.
Pagefind's output is the same, byte for byte, for the same pages (tested in
tests/test_search_index.py), so a shard is carried over when its pages are
the ones the previous build recorded for it, with the same keys: its files are kept
as they are. A page's key is a digest of what Pagefind reads of it
(blog/search_text.py), not of all its bytes, so a change to the links to
the neighbours of a post or to the site's footer re-indexes nothing. Only the other shards run
Pagefind; each file of a new bundle that is the same as the previous one is
linked from the previous output, keeping its modification time, so
publishing uploads only what changed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from ..content.sources import display_path
from ..errors import ContentErrors, ContentProblem
from ..models import CacheEntry
from ..search_bundle import (
    BUNDLE_DIR,
    SHARDS_FILE,
    SearchIndexError,
    is_bundle_file,
    is_shard_data,
    pagefind_version,
    shard_count,
    shard_folder,
    shard_of,
    shards_manifest,
    write_bundle,
)
from ..search_text import indexed_digest
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
    """Put the search bundle's shards into the staging folder and the plan,
    or none if the site does not use Pagefind."""
    if not state.site.uses_pagefind:
        state.search_record = None
        return
    _refuse_clashes(state)
    state.progress.phase("search index", 1)
    record = CacheEntry.read(SEARCH_ENTRY) if state.previous else None
    if record is not None and (record.get("made_by") != pagefind_version() or "read" not in record):
        record = None  # another Pagefind, or a bundle of before these keys: made anew
    indexed, read = _indexed_pages(state, record)
    before = record["shards"] if record else []
    split = _split(indexed)
    # The primary bundle, in /pagefind/, is the first shard with pages: a
    # bundle needs one (Pagefind refuses to index none), and an empty shard
    # has no bundle at all.
    primary = next((shard for shard, pages in enumerate(split) if pages), 0)
    shards, made, kept = [], 0, 0
    for shard, pages in enumerate(split):
        if not pages and shard != primary:
            shards.append({"folder": None, "pages": {}, "files": {}})
            continue
        folder = BUNDLE_DIR if shard == primary else shard_folder(shard)
        previous = before[shard] if shard < len(before) else None
        if _still_current(state, previous, folder, pages):
            files = previous["files"]
            for relative, key in files.items():
                state.writer.reuse(relative)
                state.plan.keys[relative] = key
            kept += 1
        else:
            files = _make_bundle(state, pages, folder)
            made += 1
        shards.append({"folder": folder, "pages": pages, "files": files})
    _write_manifest(state, [shard["folder"] for shard in shards if shard["folder"] not in (None, BUNDLE_DIR)])
    state.search_record = {"made_by": pagefind_version(), "shards": shards, "read": read}
    if made:
        detail = f"{len(indexed)} pages in {len(shards)} shards: {made} indexed, {kept} kept as they were"
    else:
        detail = f"no indexed page changed: {len(shards)} shards kept"
    state.progress.end_phase(detail)


def _split(indexed: dict[str, str]) -> list[dict[str, str]]:
    """The indexed pages by shard. With no marked page at all, one shard:
    Pagefind then indexes every page's body."""
    count = shard_count(len(indexed))
    shards = [{} for _ in range(count)]
    for relative, key in indexed.items():
        shards[shard_of(relative, count)][relative] = key
    return shards


def _write_manifest(state: BuildState, folders: list[str]) -> None:
    relative = f"{BUNDLE_DIR}/{SHARDS_FILE}"
    data = shards_manifest(folders)
    state.plan.keys[relative] = key = hashlib.blake2b(data, digest_size=16).hexdigest()
    state.written += state.writer.write(relative, data)
    if state.stored.get(relative) != key:
        state.rekeyed.add(relative)


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


def _indexed_pages(state: BuildState, record: dict | None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The new site's pages Pagefind indexes, with the digest of what it reads
    of each; and, for the next build, each one's output key with that digest.
    Only the pages written anew are read: a page with the output key it had
    is indexed, and reads the same, as it did then."""
    plan = state.plan
    before = record["read"] if record else {}
    indexed, read = {}, {}
    for page in plan.pages:
        relative = page.relative
        key = plan.keys[relative]
        known = before.get(relative)
        if known is not None and known[0] == key:
            indexed[relative], read[relative] = known[1], known
        elif record is not None and state.stored.get(relative) == key:
            continue  # the same bytes as in the previous output, which did not index it
        elif relative.endswith(".html"):
            data = (state.staging / relative).read_bytes()
            if INDEXED_MARK in data:
                indexed[relative] = indexed_digest(data)
                read[relative] = [key, indexed[relative]]
    return indexed, read


def _still_current(state: BuildState, previous: dict | None, folder: str, pages: dict[str, str]) -> bool:
    """Whether the previous output's bundle of this shard is the one Pagefind
    would make now: the same pages with the same keys, its files untouched.
    With no marked page at all Pagefind indexes every page's body, which this
    cannot follow: it then runs every time."""
    return (
        previous is not None
        and bool(pages)
        and previous["folder"] == folder
        and previous["pages"] == pages
        and all(state.stored.get(relative) == key for relative, key in previous["files"].items())
    )


def _make_bundle(state: BuildState, indexed: dict[str, str], folder: str) -> dict[str, str]:
    """Run Pagefind over the pages of one shard in the staging folder; move
    its files into place, in ``folder`` of the output."""
    staging, plan, writer = state.staging, state.plan, state.writer
    fresh, pages = staging / FRESH_BUNDLE, staging / INDEXED_PAGES
    for scratch in (fresh, pages):
        shutil.rmtree(scratch, ignore_errors=True)
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
            inside = source.relative_to(fresh).as_posix()
            if folder != BUNDLE_DIR and not is_shard_data(inside):
                source.unlink()  # the primary bundle's scripts serve every shard
                continue
            relative = f"{folder}/{inside}"
            data = source.read_bytes()
            files[relative] = plan.keys[relative] = hashlib.blake2b(data, digest_size=16).hexdigest()
            state.written += writer.place(source, data, relative)
            if state.stored.get(relative) != files[relative]:
                state.rekeyed.add(relative)
    finally:
        for scratch in (fresh, pages):
            shutil.rmtree(scratch, ignore_errors=True)
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

"""Pagefind's search bundle for a folder of HTML pages, made by the Pagefind
binary that ``pagefind[bin]`` installs.

Pagefind reads every page's ``<body>`` unless some page marks what to index
with ``data-pagefind-body``, as the post and page templates do: list pages
are then left out, so a post never shows up three times. The bundle's URLs
are the pages' paths from the folder's root; the browser adds the site's base
path (Pagefind's ``baseUrl``), so the same bundle serves the build under its
sub-path and the preview at ``/``.

Not Pagefind's Python API: its service writes files on background threads
and is stopped with SIGTERM as soon as it answers, which on a busy machine
left files empty; and it polls for answers every 0.1 s. The binary, run to
its end, has written every file when it exits. Only the API's way of finding
the binary is used.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import cbor2

# Where the bundle lives in the site: /<base path>pagefind/. It holds the
# first shard of the index and Pagefind's scripts; shard n (n >= 1) is its own
# bundle in /<base path>pagefind/shard-<n>/, listed in SHARDS_FILE, which the
# browser reads to merge the shards (docs/search.md).
BUNDLE_DIR = "pagefind"
SHARDS_FILE = "shards.json"
# Indexed pages per shard, chosen by measurement (docs/search.md): an edit
# re-indexes one shard, so fewer pages make it quicker (about 1.6 ms and
# 280 KB of Pagefind's memory per page); more shards make a reader's first
# search fetch more files (an entry, a meta file and a word chunk per shard).
SHARD_SIZE = 500
# A test and tuning knob only: another SHARD_SIZE, read here and nowhere else.
SHARD_SIZE_VARIABLE = "BLOG_SEARCH_SHARD_SIZE"
# Which pages to read: Pagefind's default, spelled out.
HTML_PAGES = "**/*.html"
# Pagefind's binary files: this, then CBOR, gzipped.
SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
# The parts of a language's pf_meta file (Pagefind 1.x): version, pages, word
# index chunks, filters [[name, file hash]], sorts [[name, page order]], meta fields.
META_PARTS = 6
META_FILTERS, META_SORTS = 3, 4


@dataclass(frozen=True)
class IndexedSite:
    """What Pagefind reported."""

    pages: int


class SearchIndexError(Exception):
    pass


def is_bundle_file(relative: str) -> bool:
    """Whether a file of the output folder belongs to the bundle."""
    return relative.startswith(BUNDLE_DIR + "/")


def shard_size() -> int:
    """SHARD_SIZE, or $BLOG_SEARCH_SHARD_SIZE (tests and tuning)."""
    value = os.environ.get(SHARD_SIZE_VARIABLE, "")
    return int(value) if value.isdigit() and int(value) > 0 else SHARD_SIZE


def shard_count(pages: int) -> int:
    """How many shards ``pages`` indexed pages make: one per SHARD_SIZE begun.
    It changes only when the site crosses a multiple of SHARD_SIZE."""
    return max(1, math.ceil(pages / shard_size()))


def shard_of(relative: str, shards: int) -> int:
    """The shard of the page at ``relative``: a stable hash of its path, so a
    page stays in its shard whatever else changes (until the count does)."""
    return int.from_bytes(hashlib.blake2b(relative.encode("utf-8"), digest_size=8).digest(), "big") % shards


def shard_folder(shard: int) -> str:
    """Where shard ``shard``'s bundle lives in the output folder, unless it is
    the primary bundle (the first shard with pages), in BUNDLE_DIR itself."""
    return f"{BUNDLE_DIR}/shard-{shard}"


def shards_manifest(folders: list[str]) -> bytes:
    """The bytes of SHARDS_FILE: the other shards' folders, relative to the
    primary bundle, for the browser's mergeIndex."""
    inside = [folder[len(BUNDLE_DIR) + 1 :] + "/" for folder in folders]
    return (json.dumps({"shards": inside}, separators=(",", ":")) + "\n").encode("utf-8")


def is_shard_data(inside: str) -> bool:
    """Whether a file of a bundle, by its path inside it, is part of the index
    (kept in every shard) rather than Pagefind's scripts, styles and
    WebAssembly (the primary bundle's serve all shards: mergeIndex loads none)."""
    return inside == ENTRY_FILE or inside.endswith(".pf_meta") or "/" in inside


@lru_cache(maxsize=1)
def pagefind_binary() -> Path:
    """The binary ``pagefind[bin]`` installed (or $PAGEFIND_BINARY_PATH), found
    as Pagefind's Python API finds it. Imported here, not at the top: the API
    imports asyncio, which a build that does not index need not pay for."""
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None or not binary.is_file():
        raise SearchIndexError('the Pagefind binary is missing: pip install "pagefind[bin]"')
    return binary


def binary_identity() -> tuple[str, int, int]:
    """Part of every build's inputs while the site uses Pagefind: another
    Pagefind may make another bundle, so a build after an upgrade is never
    skipped as "nothing changed"."""
    stat = pagefind_binary().stat()
    return str(pagefind_binary()), stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=1)
def pagefind_version() -> str:
    """Part of what a bundle is made by: a new Pagefind makes a new bundle.
    Asked only by builds that index (the metadata lookup costs import time)."""
    return version("pagefind-bin")


def write_bundle(site: Path, bundle: Path) -> IndexedSite:
    """Index the HTML pages under ``site`` and write the bundle into the empty
    or missing folder ``bundle``, the same bytes for the same pages. Pagefind
    runs as a child process of this one, to its end."""
    command = [
        str(pagefind_binary()),
        "--site",
        str(site),
        "--output-path",
        str(bundle.resolve()),
        "--glob",
        HTML_PAGES,
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, preexec_fn=_die_with_parent)
    except subprocess.CalledProcessError as error:
        said = (error.stderr or error.stdout or "").strip().splitlines()[-5:]
        raise SearchIndexError(f"Pagefind could not index {site}: " + " / ".join(said)) from None
    make_stable(bundle)
    entry = json.loads((bundle / ENTRY_FILE).read_text(encoding="utf-8"))
    return IndexedSite(pages=sum(about["page_count"] for about in entry["languages"].values()))


def _die_with_parent() -> None:
    """Run in the child before Pagefind starts: on Linux, the kernel kills it
    when the build dies, even by SIGKILL, so nothing outlives the command."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def make_stable(bundle: Path) -> None:
    """Put the filters of Pagefind's bundle in one order.

    Pagefind (1.5) writes a filter's values, and a site's filters and sorts,
    in the order of a Rust HashMap, which changes from run to run: the same
    pages give a different filter file, and so a differently named pf_meta
    file and a different entry file. Everything else (fragments, word index
    chunks, scripts) is the same every time. Sorted here, and the files renamed
    by their new content, an unchanged site gives unchanged files."""
    entry_path = bundle / ENTRY_FILE
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, about in entry["languages"].items():
        meta_path = bundle / f"pagefind.{about['hash']}.pf_meta"
        meta = _unpack(meta_path)
        if not (isinstance(meta, list) and len(meta) == META_PARTS):
            raise SearchIndexError(f"{meta_path.name}: not the layout of Pagefind 1.x this build knows")
        meta[META_FILTERS] = sorted(
            _stable_filter(bundle, language, name, name_hash) for name, name_hash in meta[META_FILTERS]
        )
        meta[META_SORTS] = sorted(meta[META_SORTS], key=lambda sort: sort[0])
        data = _pack(meta)
        about["hash"] = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
        meta_path.unlink()
        (bundle / f"pagefind.{about['hash']}.pf_meta").write_bytes(data)
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8"
    )


def _stable_filter(bundle: Path, language: str, name: str, name_hash: str) -> list[str]:
    """[name, file hash] of the filter's file rewritten with its values sorted."""
    path = bundle / "filter" / f"{name_hash}.pf_filter"
    filter_name, values = _unpack(path)
    data = _pack([filter_name, sorted(values, key=lambda value: value[0])])
    stable_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
    path.unlink()
    (path.parent / f"{stable_hash}.pf_filter").write_bytes(data)
    return [name, stable_hash]


def _unpack(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"{path.name}: not a Pagefind file")
    return cbor2.loads(data[len(SIGNATURE) :])


def _pack(value) -> bytes:
    # mtime=0: the same bytes whenever they are packed.
    return gzip.compress(SIGNATURE + cbor2.dumps(value), mtime=0)

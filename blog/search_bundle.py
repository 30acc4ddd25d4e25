"""Pagefind's search bundle for a folder of HTML pages, made with Pagefind's
Python API (the binary comes with ``pagefind[bin]``).

Pagefind reads every page's ``<body>`` unless some page marks what to index
with ``data-pagefind-body``, as the post and page templates do: list pages
are then left out, so a post never shows up three times. The bundle's URLs
are the pages' paths from the folder's root; the browser adds the site's base
path (Pagefind's ``baseUrl``), so the same bundle serves the build under its
sub-path and the preview at ``/``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

# Where the bundle lives in the site: /<base path>pagefind/.
BUNDLE_DIR = "pagefind"
# Which pages to read: Pagefind's default, spelled out.
HTML_PAGES = "**/*.html"


def is_bundle_file(relative: str) -> bool:
    """Whether a file of the output folder belongs to the bundle."""
    return relative.startswith(BUNDLE_DIR + "/")


@lru_cache(maxsize=1)
def pagefind_version() -> str:
    """Part of what a bundle is made by: a new Pagefind makes a new bundle.
    Asked only by builds that index (the metadata lookup costs import time)."""
    return version("pagefind-bin")


@dataclass(frozen=True)
class IndexedSite:
    """What Pagefind reported."""

    pages: int


class SearchIndexError(Exception):
    pass


def write_bundle(site: Path, bundle: Path) -> IndexedSite:
    """Index the HTML pages under ``site`` and write the bundle into the empty
    or missing folder ``bundle``. Pagefind runs as a child process of this one
    and has ended when this returns, whether or not it failed."""
    try:
        return asyncio.run(_index(site, bundle))
    except SearchIndexError:
        raise
    except Exception as error:
        raise SearchIndexError(f"Pagefind could not index {site}: {error}") from error


async def _index(site: Path, bundle: Path) -> IndexedSite:
    # The context writes the bundle to output_path on a clean exit, and stops
    # the Pagefind process on any exit.
    config = IndexConfig(output_path=str(bundle.resolve()), write_playground=False)
    async with PagefindIndex(config=config) as index:
        result = await index.add_directory(str(site.resolve()), glob=HTML_PAGES)
    return IndexedSite(pages=int(result.get("page_count", 0)))

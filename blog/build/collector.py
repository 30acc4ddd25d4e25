"""Python's cyclic garbage collector, paused while a build runs in this process,
and while the preview syncs a saved file and loads the new site index.

A build's main process holds the site index, the stored facts and the pages'
records: hundreds of thousands of small containers it keeps to the end. The
collector walks them again and again and frees almost nothing: an edit at
10,000 posts ran 834 collections, 0.23 s of a 1.5 s build, and they found
1,199 objects in cycles (docs/benchmarks.md, issue 17, session 9). So the
main process pauses it for the build; reference counting still frees
everything that is not in a cycle. The preview server, which runs for hours,
pauses it only while it brings the database and the index up to date.

Worker processes render pages, and Django's rendering does leave cycles:
with the collector off in the workers too, a cold build's worker grew from
197 to 308 MB at 10,000 posts. They collect as usual (``in_worker``), and what
they inherit from the main process is frozen before the fork, so that their
collections never walk it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Turn the collector off for the block, in this process."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def frozen_for_fork() -> Iterator[None]:
    """Objects alive now are left out of every collection, in this process and
    in the processes it forks in the block (Python's advice for forking:
    a collection in the child would otherwise touch, and so copy, every page
    of memory that holds them)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def in_worker() -> None:
    """A forked worker's start: it collects, whatever its parent does."""
    gc.enable()

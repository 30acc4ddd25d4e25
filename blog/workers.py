"""Worker processes for CPU-bound work: Markdown rendering and page rendering.

Threads do not help here (the GIL), so the work is split across forked
processes. Forking keeps start-up cheap: children inherit the loaded Django,
the settings in force and the site index. Database connections are closed
before forking so that no SQLite handle is shared between processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connections

# Below this many tasks a pool costs more than it saves.
MIN_TASKS_FOR_POOL = 64


def worker_count() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def chunks(items: list, pieces: int) -> list[list]:
    """Split ``items`` into about ``pieces`` runs, keeping their order inside each."""
    size = max(1, -(-len(items) // pieces))
    return [items[start : start + size] for start in range(0, len(items), size)]


@contextmanager
def mapper(task_count: int) -> Iterator[Callable[[Callable, Iterable], Iterable]]:
    """A ``map`` that runs in worker processes when there is enough work."""
    workers = worker_count()
    if task_count < MIN_TASKS_FOR_POOL or workers == 1 or multiprocessing.current_process().daemon:
        yield map
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        yield lambda function, tasks: pool.imap(function, tasks, chunksize=max(1, task_count // (workers * 8)))
    connections.close_all()

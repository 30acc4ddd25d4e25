"""Worker processes for CPU-bound work: Markdown rendering and page rendering.

Threads do not help here (the GIL), so the work is split across forked
processes. Forking keeps start-up cheap: children inherit the loaded Django,
the settings in force and the site index. Database connections are closed
before forking so that no SQLite handle is shared between processes.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult

from django.db import connections

from . import collector

# Below this many tasks a pool costs more than it saves.
MIN_TASKS_FOR_POOL = 64
# Tasks go to a worker, and their results come back, in batches of at most
# this many: enough that sending them costs little next to the work, few
# enough that a batch's results (rendered HTML) are a small message and no
# worker is left idle long at the end.
MAX_BATCH = 32
# Batches given out ahead, per worker: one to run, one waiting, so no worker
# waits for the consumer; results never pile up further ahead of it.
BATCHES_AHEAD = 2


# Overrides the number of worker processes (default: one per usable core).
WORKERS_VARIABLE = "BLOG_WORKERS"
# Overrides MIN_TASKS_FOR_POOL: tests set it low so that a small site's pages
# are rendered in worker processes too.
POOL_MIN_TASKS_VARIABLE = "BLOG_POOL_MIN_TASKS"


def worker_count() -> int:
    override = os.environ.get(WORKERS_VARIABLE, "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def min_tasks_for_pool() -> int:
    override = os.environ.get(POOL_MIN_TASKS_VARIABLE, "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    return MIN_TASKS_FOR_POOL


def _batches(tasks: Iterable, size: int, alone: Callable | None = None) -> Iterator[list]:
    """``tasks`` in lists of ``size``; a task for which ``alone`` is true gets
    a list of its own, so that two slow tasks never queue behind each other in
    one worker."""
    batch = []
    for task in tasks:
        if alone is not None and alone(task):
            yield [task]
            continue
        batch.append(task)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_batch(function: Callable, batch: list) -> list:
    return [function(task) for task in batch]


def _inline_map(function: Callable, tasks: Iterable, ordered: bool = True, alone: Callable | None = None) -> Iterator:
    return map(function, tasks)


def _pool_map(pool, workers: int, task_count: int) -> Callable[..., Iterator]:
    """``map`` over ``pool`` with at most ``workers * BATCHES_AHEAD`` batches
    given out and not yet consumed. Pool.imap would read every task at once and
    keep every result the consumer has not reached: when the consumer is slower
    than the workers (storing, on a machine with many cores), the whole site's
    HTML.

    With ``ordered=False`` results come as batches finish: a slow batch then
    holds up only its own worker, where in order it would hold up the
    consumer, and so every worker once the batches ahead are used up."""
    size = min(MAX_BATCH, max(1, task_count // (workers * 8)))
    window = workers * BATCHES_AHEAD

    def in_order(function: Callable, batches: Iterator[list]) -> Iterator:
        pending: deque[AsyncResult] = deque()
        for batch in batches:
            if len(pending) == window:
                yield from pending.popleft().get()
            pending.append(pool.apply_async(_run_batch, (function, batch)))
        while pending:
            yield from pending.popleft().get()

    def as_finished(function: Callable, batches: Iterator[list]) -> Iterator:
        finished: queue.SimpleQueue = queue.SimpleQueue()

        def take() -> list:
            results = finished.get()
            if isinstance(results, BaseException):
                raise results
            return results

        running = 0
        for batch in batches:
            if running == window:
                yield from take()
                running -= 1
            pool.apply_async(_run_batch, (function, batch), callback=finished.put, error_callback=finished.put)
            running += 1
        for _ in range(running):
            yield from take()

    def run(function: Callable, tasks: Iterable, ordered: bool = True, alone: Callable | None = None) -> Iterator:
        batches = _batches(tasks, size, alone)
        return in_order(function, batches) if ordered else as_finished(function, batches)

    return run


def _start_worker() -> None:
    """A forked worker's start.

    Leaving the pool terminates its workers with SIGTERM, and a worker idle
    between tasks is blocked in a semaphore's wait. A worker forked from
    ``runserver`` (the preview's sync) inherits the Python handler Django's
    autoreloader sets for SIGTERM, which only sets a flag for the interpreter
    to act on: a signal that lands just before the wait begins leaves the
    worker waiting for ever, and the pool waiting for it (a preview of
    10,000 posts hung at its first sync this way). The default action ends
    the process wherever it is."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    collector.in_worker()


@contextmanager
def mapper(task_count: int, before_fork: Callable[[], object] | None = None) -> Iterator[Callable[..., Iterator]]:
    """A ``map`` that runs in worker processes when there is enough work:
    ``run(function, tasks, ordered=True, alone=None)`` (see _pool_map and
    _batches). ``before_fork`` is called before the workers fork, if they
    do: for what each of them would otherwise make for itself."""
    workers = worker_count()
    if task_count < min_tasks_for_pool() or workers == 1 or multiprocessing.current_process().daemon:
        yield _inline_map
        return
    if before_fork is not None:
        before_fork()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with collector.frozen_for_fork(), context.Pool(workers, initializer=_start_worker) as pool:
        yield _pool_map(pool, workers, task_count)
    connections.close_all()

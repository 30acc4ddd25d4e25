"""blog/build/workers.py: map in worker processes, in order, never far ahead of the consumer."""

from __future__ import annotations

import gc
import os
import signal
import sys
import time

import pytest

from blog.build import collector, workers


def square(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def fail_on_seven(number: int) -> int:
    if number == 7:
        raise ValueError("seven")
    return number


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    # A pool even on a one-core runner.
    monkeypatch.setattr(workers, "worker_count", lambda: 2)


def test_results_come_in_order_from_worker_processes():
    numbers = range(500)
    with workers.mapper(len(numbers)) as run:
        results = list(run(square, numbers))
    assert [value for value, _ in results] == [n * n for n in numbers]
    assert os.getpid() not in {pid for _, pid in results}


def test_tasks_are_read_only_a_few_batches_ahead_of_the_consumer():
    count = 2000
    read = 0

    def tasks():
        nonlocal read
        for number in range(count):
            read += 1
            yield number

    bound = (workers.worker_count() * workers.BATCHES_AHEAD + 1) * workers.MAX_BATCH
    consumed = 0
    with workers.mapper(count) as run:
        for _ in run(square, tasks()):
            consumed += 1
            assert read - consumed <= bound
    assert consumed == read == count


def test_an_error_in_a_worker_reaches_the_caller():
    with workers.mapper(100) as run, pytest.raises(ValueError, match="seven"):
        list(run(fail_on_seven, range(100)))


def test_few_tasks_run_in_this_process():
    with workers.mapper(workers.MIN_TASKS_FOR_POOL - 1) as run:
        results = list(run(square, range(10)))
    assert {pid for _, pid in results} == {os.getpid()}


# Made by the mapper's before_fork: the workers see what it made before they forked.
_prepared: list[int] = []


def prepared_count(_number: int) -> tuple[int, int]:
    return len(_prepared), os.getpid()


def test_what_is_made_before_the_fork_is_made_once_and_inherited():
    made = []

    def prepare() -> None:
        made.append(os.getpid())
        _prepared.extend(range(3))

    try:
        with workers.mapper(200, before_fork=prepare) as run:
            results = list(run(prepared_count, range(200)))
    finally:
        _prepared.clear()
    assert made == [os.getpid()]
    assert {count for count, _ in results} == {3}
    assert os.getpid() not in {pid for _, pid in results}


def test_nothing_is_made_before_a_fork_that_does_not_happen():
    made = []
    with workers.mapper(workers.MIN_TASKS_FOR_POOL - 1, before_fork=lambda: made.append(1)) as run:
        list(run(square, range(10)))
    assert made == []


def sleep_then_square(number: int) -> tuple[int, int]:
    # The first task is slow: finished results must not wait for it.
    if number == 0:
        time.sleep(1.0)
    return number * number, os.getpid()


def test_unordered_results_come_as_they_finish():
    numbers = range(300)
    with workers.mapper(len(numbers)) as run:
        results = list(run(sleep_then_square, numbers, ordered=False, alone=lambda number: number == 0))
    assert sorted(value for value, _ in results) == [n * n for n in numbers]
    # The slow task ran alone while the other worker took every other batch,
    # more than the batches given out ahead: so it came last.
    assert results[-1][0] == 0
    assert len({pid for _, pid in results}) == 2


def test_a_task_marked_alone_is_a_batch_of_its_own():
    batches = list(workers._batches(range(10), 4, alone=lambda number: number in (0, 5)))
    assert batches == [[0], [1, 2, 3, 4], [5], [6, 7, 8, 9]]


def test_an_error_in_an_unordered_worker_reaches_the_caller():
    with workers.mapper(100) as run, pytest.raises(ValueError, match="seven"):
        list(run(fail_on_seven, range(100), ordered=False))


def collector_state(_task: int) -> tuple[bool, int]:
    """Whether this worker's garbage collector runs, and how many objects it left out."""
    return gc.isenabled(), gc.get_freeze_count()


def test_workers_collect_garbage_while_the_build_has_paused_the_collector():
    # The main process pauses the collector for a build (blog/build/collector.py);
    # page rendering leaves cycles, so the workers must collect, and they skip
    # what they inherited.
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with workers.mapper(200) as run:
            states = set(run(collector_state, range(200)))
        assert gc.get_freeze_count() == 0
    assert gc.isenabled()
    assert {enabled for enabled, _frozen in states} == {True}
    assert all(frozen > 0 for _enabled, frozen in states)


def test_the_collector_runs_again_after_a_build_that_failed():
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("the build failed")
    assert gc.isenabled()


def sigterm_action(_task: int) -> object:
    return signal.getsignal(signal.SIGTERM)


def test_workers_die_of_sigterm_even_when_their_parent_handles_it():
    """The preview's sync forks workers from ``runserver``, where Django's
    autoreloader handles SIGTERM in Python; the pool's exit terminates its
    workers with SIGTERM, which a Python handler can miss in a worker just
    entering a wait (blog/build/workers.py, _start_worker)."""
    previous = signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
    try:
        with workers.mapper(200) as run:
            actions = set(run(sigterm_action, range(200)))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert actions == {signal.SIG_DFL}

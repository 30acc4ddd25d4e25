"""blog/workers.py: map in worker processes, in order, never far ahead of the consumer."""

from __future__ import annotations

import os

import pytest

from blog import workers


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

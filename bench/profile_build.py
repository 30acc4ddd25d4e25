"""Profile one build in this process with cProfile, page rendering included.

    python -m bench.profile_build --content C --output O --cache-dir K [--top 15] [--save FILE]

cProfile sees only the thread it runs in, so the work runs there: the build's
worker processes are turned off (``blog.build.workers.worker_count`` returns 1) and
django-distill's thread pool is replaced by one that runs every task inline.
The profile shows the work of all cores, added up. Django's start-up (imports, ``django.setup()``) happens
before profiling starts; measure it with ``python -X importtime``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
from pathlib import Path


class InlineExecutor:
    """Stands in for ThreadPoolExecutor: ``map`` runs in the calling thread."""

    def __init__(self, max_workers: int | None = None) -> None:
        pass

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc_info) -> bool:
        return False

    def map(self, function, *iterables):
        return map(function, *iterables)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--top", type=int, default=15, help="rows to print per ordering (default 15)")
    parser.add_argument("--save", type=Path, help="also write the raw stats, for snakeviz or pstats")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django_distill import renderer

    from blog.build import workers

    renderer.ThreadPoolExecutor = InlineExecutor
    workers.worker_count = lambda: 1
    profiler = cProfile.Profile()
    profiler.enable()
    call_command(
        "build", "--content", str(args.content), "--output", str(args.output), "--cache-dir", str(args.cache_dir)
    )
    profiler.disable()
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler)
    for order in ("cumulative", "tottime"):
        print(f"\n=== top {args.top} by {order} ===")
        stats.sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()

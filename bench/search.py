"""The cost of Pagefind's search index: its size and the time to make it, on
the synthetic corpus, and whether Pagefind writes the same files twice.

    python -m bench.search --posts 2000

Builds the corpus cold (the build's own "search index" line gives the time
Pagefind took, the peak memory is /usr/bin/time's), then: one post's body edited (the index is made again), one
post added (again), a file added that no indexed page shows (the index is
kept). Finally Pagefind indexes the built site twice more, into two fresh
folders, and the three bundles are compared file by file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.corpus import add_ours_post, make_post, make_posts, write_ours

ROOT = Path(__file__).resolve().parent.parent
PEAK_LINE = re.compile(r"Maximum resident set size \(kbytes\): (?P<kb>\d+)")
PHASE_LINE = re.compile(r"^search index: (?P<detail>.*) \((?P<seconds>[\d.]+) s\)$", re.MULTILINE)


def build(content: Path, output: Path, cache: Path) -> tuple[float, str, float, int]:
    """One build in its own process: wall seconds, the search line, its
    seconds, and the peak memory (kB) of the build or any process it waited
    for (Pagefind), as /usr/bin/time -v reports it."""
    started = time.perf_counter()
    command = [sys.executable, str(ROOT / "manage.py"), "build", "--content", str(content), "--output", str(output),
               "--cache-dir", str(cache)]  # fmt: skip
    timed = Path("/usr/bin/time").is_file()
    process = subprocess.run(
        (["/usr/bin/time", "-v"] if timed else []) + command,
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    found = PHASE_LINE.search(process.stdout)
    peak = PEAK_LINE.search(process.stderr) if timed else None
    return (
        seconds,
        found["detail"] if found else "(no search phase)",
        float(found["seconds"]) if found else 0.0,
        int(peak["kb"]) if peak else 0,
    )


def bundle_size(bundle: Path) -> tuple[int, int]:
    files = [path for path in bundle.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_search_bytes(bundle: Path, results: int = 5) -> int:
    """What a reader's browser downloads for a first one-word search, at most:
    the script, its worker, the WebAssembly and shards.json of the primary
    bundle; then of every shard (the primary and those shards.json lists) the
    entry and meta files, the largest word-index chunk and every filter file
    (filters are fetched when a tag is chosen: counted anyway); and
    ``results`` of the largest fragments of all."""
    fixed = ["pagefind.js", "pagefind-worker.js", "wasm.en.pagefind", "shards.json"]
    sizes = [(bundle / name).stat().st_size for name in fixed if (bundle / name).is_file()]
    fragments = []
    for shard in shard_bundles(bundle):
        sizes += [(shard / "pagefind-entry.json").stat().st_size]
        sizes += [path.stat().st_size for path in shard.glob("*.pf_meta")]
        sizes += [max(path.stat().st_size for path in (shard / "index").iterdir())]
        sizes += [path.stat().st_size for path in (shard / "filter").iterdir()]
        fragments += [path.stat().st_size for path in (shard / "fragment").iterdir()]
    return sum(sizes) + sum(sorted(fragments, reverse=True)[:results])


def shard_bundles(bundle: Path) -> list[Path]:
    """The primary bundle and the shards its shards.json lists."""
    manifest = bundle / "shards.json"
    listed = json.loads(manifest.read_text())["shards"] if manifest.is_file() else []
    return [bundle] + [bundle / folder for folder in listed]


def differences(first: Path, second: Path) -> list[str]:
    """Files that are in one tree only, or differ in bytes."""

    def files(root: Path) -> dict[str, bytes]:
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}

    left, right = files(first), files(second)
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bench" / "search")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
    sys.path.insert(0, str(ROOT))
    from blog.search_bundle import write_bundle

    work = args.workdir / str(args.posts)
    shutil.rmtree(work, ignore_errors=True)
    content, output, cache = work / "content", work / "output", work / "cache"
    write_ours(make_posts(args.posts), content)
    rows = []

    def step(name: str) -> None:
        seconds, detail, index_seconds, peak_kb = build(content, output, cache)
        rows.append((name, seconds, index_seconds, detail))
        print(
            f"{name}: build {seconds:.2f} s, {detail} in {index_seconds:.2f} s, peak {peak_kb / 1024:.0f} MB",
            flush=True,
        )

    step("cold build")
    files, size = bundle_size(output / "pagefind")
    shards = shard_bundles(output / "pagefind")
    pages = sum(len(list((shard / "fragment").iterdir())) for shard in shards)
    print(f"bundle: {files} files, {size / 1e6:.2f} MB ({pages} fragments in {len(shards)} shards)")
    print(f"a first search downloads at most {first_search_bytes(output / 'pagefind') / 1e3:.0f} kB")
    first = sorted((content / "posts").iterdir())[0]
    first.write_text(first.read_text() + "\nOne more sentence about quokkas.\n")
    step("one post's body edited")
    add_ours_post(content, make_post(args.posts + 1))
    step("one post added")
    (content / "notes.txt").write_text("No page shows this file.\n")
    step("a file no indexed page shows added")

    started, cpu_before = time.perf_counter(), _children_cpu()
    write_bundle(output, work / "again-1")
    alone, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    write_bundle(output, work / "again-2")
    # CPU time says what the index costs whatever else the machine is doing.
    print(f"Pagefind alone over the built site: {alone:.2f} s, {cpu:.2f} CPU-s")
    # The build's own bundle is in shards: only a one-shard site's compares.
    for other in (work / "again-2",) + ((output / "pagefind",) if len(shards) == 1 else ()):
        differ = differences(work / "again-1", other)
        print(f"{other.relative_to(work)} differs from again-1 in {len(differ)} files: {differ[:10]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

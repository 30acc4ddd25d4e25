"""The cost of Pagefind's search index: its size and the time to make it, on
the synthetic corpus, and whether Pagefind writes the same files twice.

    python -m bench.search --posts 2000

Builds the corpus cold (the build's own "search index" line gives the time
Pagefind took), then: one post's body edited (the index is made again), one
post added (again), a file added that no indexed page shows (the index is
kept). Finally Pagefind indexes the built site twice more, into two fresh
folders, and the three bundles are compared file by file.
"""

from __future__ import annotations

import argparse
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
PHASE_LINE = re.compile(r"^search index: (?P<detail>.*) \((?P<seconds>[\d.]+) s\)$", re.MULTILINE)


def build(content: Path, output: Path, cache: Path) -> tuple[float, str, float]:
    """One build in its own process: wall seconds, the search line, its seconds."""
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "build", "--content", str(content), "--output", str(output),
         "--cache-dir", str(cache)],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    found = PHASE_LINE.search(process.stdout)
    return seconds, found["detail"] if found else "(no search phase)", float(found["seconds"]) if found else 0.0


def bundle_size(bundle: Path) -> tuple[int, int]:
    files = [path for path in bundle.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_search_bytes(bundle: Path, results: int = 5) -> int:
    """What a reader's browser downloads for a first one-word search, at most:
    the script, its worker, the WebAssembly, the entry and meta files, the
    largest word-index chunk, every filter file, and ``results`` of the
    largest fragments."""
    fixed = ["pagefind.js", "pagefind-worker.js", "wasm.en.pagefind", "pagefind-entry.json"]
    sizes = [(bundle / name).stat().st_size for name in fixed]
    sizes += [path.stat().st_size for path in bundle.glob("*.pf_meta")]
    sizes += [max(path.stat().st_size for path in (bundle / "index").iterdir())]
    sizes += [path.stat().st_size for path in (bundle / "filter").iterdir()]
    sizes += sorted((path.stat().st_size for path in (bundle / "fragment").iterdir()), reverse=True)[:results]
    return sum(sizes)


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
        seconds, detail, index_seconds = build(content, output, cache)
        rows.append((name, seconds, index_seconds, detail))
        print(f"{name}: build {seconds:.2f} s, {detail} in {index_seconds:.2f} s", flush=True)

    step("cold build")
    files, size = bundle_size(output / "pagefind")
    pages = len(list((output / "pagefind" / "fragment").iterdir()))
    print(f"bundle: {files} files, {size / 1e6:.2f} MB ({pages} fragments)")
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
    for other in (work / "again-2", output / "pagefind"):
        differ = differences(work / "again-1", other)
        print(f"{other.relative_to(work)} differs from again-1 in {len(differ)} files: {differ[:10]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Time ``manage.py publish`` to S3 at N posts: the first publish, a publish
with nothing changed, and a publish after a one-post edit.

    python -m bench.publish --posts 2000 [--markdown FILE]

The bucket is moto's standalone server on 127.0.0.1, behind the tests'
counting proxy (tests/s3_server.py), which counts the PUT requests and their
bytes: what was sent, counted by the receiving side rather than by the
publisher. Both the proxy and moto are Python in this process, so the
times include their work, which a real bucket does elsewhere. Optional: run
with ``make bench PUBLISH=1``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tests.s3_server import AWS_ENV, S3Server

from . import corpus
from .run import WORK_ROOT, OurBuild, _describe, _progress, _reset, count_files, measure, publish_report

BUCKET = "bench"


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and path.name != ".blog-output")


def run(posts: int, work: Path) -> str:
    _reset(work)
    _progress(f"writing a corpus of {posts} posts under {work}")
    site = corpus.generate(posts, work / "corpus")
    ours = OurBuild(work, site.ours)
    _progress("building it (not timed)")
    ours.build()
    server = S3Server()
    try:
        server.client("s3").create_bucket(Bucket=BUCKET)
        with (site.ours / "site.toml").open("a", encoding="utf-8") as file:
            file.write(f'\n[publish.bench]\nurl = "s3://{BUCKET}/"\nendpoint = "{server.url}"\n')
        env = {**ours.env, **AWS_ENV, "AWS_MAX_ATTEMPTS": "3"}
        command = [sys.executable, "manage.py", "publish", "bench", "--content", str(site.ours)]
        command += ["--output", str(ours.output), "--cache-dir", str(ours.cache)]
        rows = []
        for case in ("first publish", "nothing changed", "one post edited"):
            if case == "one post edited":
                ours.edit_post_body(0)
                ours.build()
            server.log.clear()
            sample = measure(command, ours.app, work / "publish.log", env)
            puts = server.log.count("PUT")
            rows.append((case, sample.seconds, sample.cpu_seconds, puts, server.log.put_bytes))
            _progress(f"publish, {case}: {_describe(sample)}, {puts} PUTs, {server.log.put_bytes} bytes")
    finally:
        server.close()
    files, size = count_files(ours.output) - 1, folder_bytes(ours.output)
    lines = [
        f"### Publishing to S3 (moto on 127.0.0.1), {posts} posts",
        "",
        f"- the site: {files} files, {size / 1e6:.1f} MB",
        "",
        "| case | wall (s) | CPU of the command (s) | PUT requests | bytes sent | share of the site's bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case, seconds, cpu, puts, sent in rows:
        lines.append(f"| {case} | {seconds:.2f} | {cpu:.2f} | {puts} | {sent:,} | {100 * sent / size:.2f} % |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder afterwards")
    args = parser.parse_args(argv)
    work = (WORK_ROOT / f"publish-{args.posts}").resolve()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog.settings")
    return publish_report(run(args.posts, work), args.markdown, work, args.keep)


if __name__ == "__main__":
    sys.exit(main())

"""Time the WordPress importer on a generated export, in a fresh process.

    python -m bench.wordpress [--items 5000]

The export is made here (a few paragraphs, a link, a code shortcode and a list
per item, one comment each); nothing large is committed. The import runs
twice, as a user runs it again: the second run must write nothing. Wall time,
CPU time and the peak resident set of the importing process are printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="https://wordpress.org/export/1.2/">
<channel>
<title>Generated</title>
<link>https://generated.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://generated.example</wp:base_site_url>
"""
FOOTER = "</channel>\n</rss>\n"
BODY = (
    "First paragraph of a generated post, with <a href='https://generated.example/?p=1'>a link</a>.\n\n"
    "Second paragraph.\nWith a line break.\n\n"
    '[code lang="python"]\nprint("hello")\n[/code]\n\n'
    "<ul><li>one</li><li>two</li></ul>\n"
) * 3


def item_xml(post_id: int, title: str, body: str, slug: str = "", post_type: str = "post", day: int = 1) -> str:
    """One published item with a tag and an approved comment."""
    return f"""<item>
<title>{escape(title)}</title>
<link>https://generated.example/?p={post_id}</link>
<guid isPermaLink="false">https://generated.example/?p={post_id}</guid>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date>2020-01-{day:02d} 10:00:00</wp:post_date>
<wp:post_date_gmt>2020-01-{day:02d} 09:00:00</wp:post_date_gmt>
<wp:post_name>{escape(slug)}</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>{post_type}</wp:post_type>
<category domain="post_tag" nicename="tag-{post_id % 7}"><![CDATA[Tag {post_id % 7}]]></category>
<wp:comment><wp:comment_id>{post_id}</wp:comment_id><wp:comment_author>Reader</wp:comment_author>
<wp:comment_date_gmt>2020-01-02 09:00:00</wp:comment_date_gmt><wp:comment_content>Nice.</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
</item>
"""


def write_export(path: Path, items: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as file:
        file.write(HEADER)
        file.writelines(items)
        file.write(FOOTER)
    return path


def large_export(path: Path, count: int) -> Path:
    """An export of ``count`` posts, written as they are made."""
    with path.open("w", encoding="utf-8") as file:
        file.write(HEADER)
        for number in range(1, count + 1):
            file.write(item_xml(number, f"Generated post {number}", BODY, f"post-{number}", day=number % 28 + 1))
        file.write(FOOTER)
    return path


# Runs manage.py in the child and writes the child's own peak resident set
# (VmHWM) to a file. ru_maxrss cannot tell it: Linux carries the parent's
# peak into the child at exec, so a child of a large test process would report it.
_PEAK_WRAPPER = """
import runpy, sys
try:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    with open("/proc/self/status") as status, open(sys.argv[-1] + ".peak", "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def timed_import(export: Path, content: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one ``import_wordpress`` process, and its output."""
    command = [sys.executable, "-c", _PEAK_WRAPPER, str(ROOT / "manage.py"), "import_wordpress", str(export)]
    command += ["--content", str(content)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"}
    peak_file = Path(str(content) + ".peak")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.stdout.close()
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(output)
    peak_mb = int(peak_file.read_text()) / 1024  # VmHWM is in kB
    peak_file.unlink()
    return wall, usage.ru_utime + usage.ru_stime, peak_mb, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=5000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export = large_export(root / "export.xml", options.items)
        content = root / "content"
        content.mkdir()
        print(f"{options.items} items, {export.stat().st_size / 2**20:.1f} MB export")
        for run in ("first import", "second import (nothing to write)"):
            wall, cpu, rss, output = timed_import(export, content)
            files = next(line for line in output.splitlines() if line.startswith("Files"))
            print(f"{run}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS {rss:.0f} MB; {files}")


if __name__ == "__main__":
    main()

"""WordPress exports made by the tests: one item of each kind, or many."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from tests.conftest import ROOT, build_env, run_build

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wordpress"
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


def item_xml(post_id: int, title: str, body: str, slug: str = "", post_type: str = "post", day: int = 1) -> str:
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
    """``count`` posts of a few paragraphs, code and links each, written as they are made."""
    body = (
        "First paragraph of a generated post, with <a href='https://generated.example/?p=1'>a link</a>.\n\n"
        "Second paragraph.\nWith a line break.\n\n"
        '[code lang="python"]\nprint("hello")\n[/code]\n\n'
        "<ul><li>one</li><li>two</li></ul>\n"
    )
    with path.open("w", encoding="utf-8") as file:
        file.write(HEADER)
        for number in range(1, count + 1):
            file.write(item_xml(number, f"Generated post {number}", body * 3, f"post-{number}", day=number % 28 + 1))
        file.write(FOOTER)
    return path


# The site the end-to-end tests import the fixture export into: served under a path.
IMPORTED_SITE_TOML = (
    'title = "Pebbles"\nbase_url = "http://127.0.0.1/blog/"\ntime_zone = "Europe/Stockholm"\n'
    'disqus_shortname = "pebbles"\n'
)


def import_and_build(root: Path):
    """Import the fixture export with the real command into ``root/content``, then build
    into ``root/blog`` (the site's base path), as an author would."""
    content = root / "content"
    content.mkdir()
    (content / "site.toml").write_text(IMPORTED_SITE_TOML, encoding="utf-8")
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_wordpress",
        str(FIXTURES / "blog-1.2.xml"),
        "--uploads",
        str(FIXTURES / "uploads"),
        "--content",
        str(content),
    ]
    imported = subprocess.run(command, capture_output=True, text=True, env=build_env(), cwd=ROOT, timeout=120)
    assert imported.returncode == 0, imported.stderr
    build = run_build(content, root / "blog", root / "cache")
    assert build.ok, build.process.stderr
    return imported, build

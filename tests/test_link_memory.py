"""The links of pages a build did not render again stay known to later builds.

A build that renders most pages again (here: every post retagged) writes the
cache's record of every page; the pages it did not render keep the links
stored for them. A later build that checks every page again (a post deleted)
must still find a broken link on such a page.
"""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import Build, run_build

BROKEN = "/nowhere/"


def warnings_about(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if BROKEN in line]


def link_to_nowhere(content: Path, relative: str) -> Path:
    """The Markdown file ``relative`` of ``content``, with a link to BROKEN added."""
    source = content / relative
    source.write_text(source.read_text(encoding="utf-8") + f"\nSee [the old page]({BROKEN}).\n", encoding="utf-8")
    return source


def built(content: Path, output: Path, cache: Path) -> Build:
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    return build


def test_a_broken_link_on_a_page_not_rendered_again_is_still_found(copy_fixture, tmp_path):
    content = copy_fixture("incremental")
    link_to_nowhere(content, "pages/about.md")
    output, cache = tmp_path / "output", tmp_path / "cache"

    first = built(content, output, cache)
    assert warnings_about(first.process.stderr), first.process.stderr
    about_page = output / "about" / "index.html"
    written = about_page.stat().st_mtime_ns

    # Most pages change (every post page shows its tags); the about page does not.
    for post in sorted((content / "posts").rglob("*.md")):
        text = post.read_text(encoding="utf-8")
        if "tags:" in text:
            post.write_text(re.sub(r"tags: \[", "tags: [Lighthouse, ", text, count=1), encoding="utf-8")
        else:
            post.write_text(text.replace("---\n", "---\ntags: [Lighthouse]\n", 1), encoding="utf-8")
    retagged = run_build(content, output, cache)
    assert retagged.ok, retagged.process.stderr
    # Of the site's pages (the unchanged files also count copied files and the search index).
    rendered, total = map(int, re.search(r"render pages: (\d+) of (\d+) pages", retagged.process.stdout).groups())
    assert rendered > total // 2, retagged.process.stdout
    assert about_page.stat().st_mtime_ns == written
    assert warnings_about(retagged.process.stderr), retagged.process.stderr

    # A post gone: every page's links are checked again, from what is stored.
    next(iter(sorted((content / "posts").glob("*.md")))).unlink()
    after = run_build(content, output, cache)
    assert after.ok, after.process.stderr
    assert warnings_about(after.process.stderr), after.process.stderr


def test_a_link_to_an_id_on_a_page_not_rendered_again_is_checked_against_its_stored_ids(copy_fixture, tmp_path):
    content = copy_fixture("incremental")
    about = content / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n## Opening hours\n\nFrom dawn.\n", encoding="utf-8")
    output, cache = tmp_path / "output", tmp_path / "cache"
    first = run_build(content, output, cache)
    assert first.ok, first.process.stderr
    about_page = output / "about" / "index.html"
    assert 'id="opening-hours"' in about_page.read_text(encoding="utf-8")
    written = about_page.stat().st_mtime_ns

    post = content / "posts" / "first-light.md"
    text = post.read_text(encoding="utf-8")
    for fragment, broken in (("opening-hours", False), ("closing-hours", True)):
        post.write_text(text + f"\nSee [the hours](/about/#{fragment}).\n", encoding="utf-8")
        rebuilt = run_build(content, output, cache)
        assert rebuilt.ok, rebuilt.process.stderr
        assert about_page.stat().st_mtime_ns == written  # not rendered again: its ids come from the cache
        warnings = [line for line in rebuilt.process.stderr.splitlines() if "no element with id" in line]
        if broken:
            assert len(warnings) == 1 and "'closing-hours'" in warnings[0], rebuilt.process.stderr
        else:
            assert not warnings, rebuilt.process.stderr


def test_a_page_rendered_again_with_the_links_it_had_reports_its_broken_link_until_it_is_fixed(copy_fixture, tmp_path):
    # A new title renders the post's page again with the links it had: only
    # its link that was broken is checked again (blog/build/check.py).
    content = copy_fixture("incremental")
    post = link_to_nowhere(content, "posts/first-light.md")
    output, cache = tmp_path / "output", tmp_path / "cache"
    first = built(content, output, cache)
    assert len(warnings_about(first.process.stderr)) == 1, first.process.stderr

    post.write_text(post.read_text(encoding="utf-8").replace('"First light"', '"First light, again"'), encoding="utf-8")
    retitled = built(content, output, cache)
    assert "First light, again" in retitled.read("2024/01/first-light/index.html")
    assert len(warnings_about(retitled.process.stderr)) == 1, retitled.process.stderr

    (content / "pages" / "nowhere.md").write_text('---\ntitle: "Somewhere"\n---\nFound.\n', encoding="utf-8")
    fixed = built(content, output, cache)
    assert (output / "nowhere" / "index.html").is_file()
    assert not warnings_about(fixed.process.stderr), fixed.process.stderr

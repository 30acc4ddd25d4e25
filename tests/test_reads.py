"""What pages read while they render decides which pages a rebuild renders
(blog/reads/recorder.py, blog/reads/facts.py). These build a copy of the project, change it
as a user would, and check the stored record and the output against a clean
build; tests/test_incremental.py checks the general property."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from blog.digests import digest
from blog.reads import SCHEDULED_LOOKUP, unpack_ids
from blog.reads.values import fact_subject

from .conftest import FIXTURES, build_command, build_env, copy_project
from .html_tree import parse_html
from .output_trees import snapshot, tree_differences

RENDERED = re.compile(r"(\d+) pages rendered")

MOTD_VIEW = """

def message_of_the_day(request):
    from pathlib import Path

    from django.http import HttpResponse

    text = (Path(__file__).resolve().parent.parent / "motd.txt").read_text()
    return HttpResponse(f"<!DOCTYPE html><title>Today</title><p id=motd>{text}</p>")
"""

MOTD_ROUTE = """
blog_patterns.insert(0, distill_path("motd/", views.message_of_the_day, name="motd"))
"""


@pytest.fixture
def project(tmp_path) -> Path:
    copy = tmp_path / "project"
    copy.mkdir()
    return copy_project(copy)


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    subprocess.run(["cp", "-r", str(FIXTURES / "incremental"), str(target)], check=True)
    return target


def build(project: Path, content: Path, output: Path, cache: Path) -> int:
    """Build; the number of pages rendered."""
    process = subprocess.run(
        build_command(content, output, cache, project=project),
        cwd=project,
        env=build_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    return int(RENDERED.search(process.stdout).group(1))


def page_reads(cache: Path, page: str):
    """The facts stored for ``page``: their ids, or None for a page rendered every time."""
    with sqlite3.connect(cache / "blog.sqlite3") as db:
        (value,) = db.execute("SELECT reads FROM blog_outputfile WHERE path = ?", [page]).fetchone()
    return value if value is None else unpack_ids(value)


def edit_a_body(content: Path) -> None:
    post = sorted((content / "posts").rglob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def test_a_page_that_shows_the_clock_is_rendered_on_every_build(project, content, tmp_path):
    search = project / "templates" / "blog" / "search.html"
    output, cache = tmp_path / "output", tmp_path / "cache"
    build(project, content, output, cache)
    assert page_reads(cache, "search/index.html"), "a plain page records its facts"
    edit_a_body(content)
    without_clock = build(project, content, output, cache)

    clock = search.read_text(encoding="utf-8").replace("{% block content %}", '{% block content %}{% now "Y" %}')
    search.write_text(clock, encoding="utf-8")
    build(project, content, output, cache)
    assert page_reads(cache, "search/index.html") is None
    edit_a_body(content)
    with_clock = build(project, content, output, cache)
    assert with_clock == without_clock + 1


def test_a_view_that_reads_a_file_shows_the_file_as_it_is_now(project, content, tmp_path):
    (project / "blog" / "views.py").write_text((project / "blog" / "views.py").read_text() + MOTD_VIEW)
    (project / "blog" / "urls.py").write_text((project / "blog" / "urls.py").read_text() + MOTD_ROUTE)
    motd = project / "motd.txt"
    motd.write_text("calm seas")
    output, cache = tmp_path / "output", tmp_path / "cache"
    build(project, content, output, cache)
    assert page_reads(cache, "motd/index.html") is None

    # Nothing the build knows of changes: the page is rendered all the same.
    motd.write_text("a storm is coming")
    build(project, content, output, cache)
    shown = parse_html((output / "motd" / "index.html").read_text(encoding="utf-8")).find(id="motd").text()
    assert shown == "a storm is coming"

    clean = tmp_path / "clean"
    build(project, content, clean / "output", clean / "cache")
    assert not tree_differences(snapshot(output), snapshot(clean / "output"))


def test_a_body_edit_renders_only_the_pages_that_read_the_post(project, content, tmp_path):
    output, cache = tmp_path / "output", tmp_path / "cache"
    first = build(project, content, output, cache)
    edit_a_body(content)
    again = build(project, content, output, cache)
    assert 0 < again < first / 2
    assert page_reads(cache, "search/index.html"), "a page that shows no post keeps its facts"


def test_each_fact_is_stored_with_what_it_is_about():
    # The check passes, unread, every fact whose subject is as it was
    # (blog/reads/facts.py): a row, or the site index as a whole.
    post = ("blog.post", "posts/a.md")
    assert fact_subject(("row", *post, ("title",)), "d") == "blog.post posts/a.md"
    assert fact_subject(("index", "post_page", "2020/01/a/"), "d") == "index"
    assert fact_subject(("index", "posts"), "d") == "index"
    # Whether a post is out yet changes with the clock, which the index does
    # not hold: "not yet" is checked on every build; "out" stays while the
    # post's row (its date) does, as the clock only moves forward.
    assert fact_subject(("index", SCHEDULED_LOOKUP, post), digest(False)) == "blog.post posts/a.md"
    assert fact_subject(("index", SCHEDULED_LOOKUP, post), digest(True)) == ""
    assert fact_subject(("template-file", "/templates/base.html"), "d") == ""


def index_lookups(cache: Path, page: str) -> set[str]:
    """The site-index lookups among the facts stored for ``page``."""
    ids = list(page_reads(cache, page))
    with sqlite3.connect(cache / "blog.sqlite3") as db:
        marks = ", ".join("?" * len(ids))
        keys = [json.loads(key) for (key,) in db.execute(f"SELECT key FROM blog_fact WHERE id IN ({marks})", ids)]
    return {key[1] for key in keys if key[0] == "index"}


def add_post(content: Path, name: str, date: str) -> None:
    text = f"---\ntitle: Added {date}\ndate: {date}\n---\nA new post.\n"
    (content / "posts" / name).write_text(text, encoding="utf-8")


def test_a_list_page_reads_its_own_posts_not_the_whole_list(project, content, tmp_path):
    build(project, content, tmp_path / "output", tmp_path / "cache")
    for page in ("index.html", "page/2/index.html"):
        lookups = index_lookups(tmp_path / "cache", page)
        assert {"posts_on_page", "page_count"} <= lookups and "posts" not in lookups, page


def test_a_post_added_renders_only_the_list_pages_it_moves(project, content, tmp_path):
    # Two copies of the site: one gets a post older than all the others,
    # which moves only the last list page, the other the newest post, which
    # moves every one. Each incremental build is the same as a clean one.
    # The fixture has an even number of visible posts: with one more first,
    # the post added leaves the number of pages as it was (two a page).
    oldest, newest = "1999-01-01", "2026-06-01"
    rendered = {}
    for date in (oldest, newest):
        site = tmp_path / date
        subprocess.run(["cp", "-r", str(content), str(site)], check=True)
        add_post(site, "older-still.md", "1998-01-01")
        output, cache = tmp_path / f"output-{date}", tmp_path / f"cache-{date}"
        build(project, site, output, cache)
        add_post(site, "added.md", date)
        rendered[date] = build(project, site, output, cache)
        clean_output = tmp_path / f"clean-{date}"
        build(project, site, clean_output, tmp_path / f"clean-cache-{date}")
        assert not tree_differences(snapshot(output), snapshot(clean_output))
    assert rendered[oldest] < rendered[newest]


def test_edits_keep_the_fact_table_to_the_facts_in_use(project, content, tmp_path):
    """blog/reads/facts.py, FactTable: the table holds every fact a recorded
    page names, and the facts of each edit's old title go."""
    output, cache = tmp_path / "output", tmp_path / "cache"
    build(project, content, output, cache)
    post = content / "posts" / "2024-02-10-tide-tables.md"
    original = post.read_text(encoding="utf-8")
    sizes = []
    for number in range(4):
        post.write_text(original.replace("title:", f"title: Edit {number}", 1), encoding="utf-8")
        build(project, content, output, cache)
        with sqlite3.connect(cache / "blog.sqlite3") as db:
            stored = {id_ for (id_,) in db.execute("SELECT id FROM blog_fact")}
            records = db.execute("SELECT reads FROM blog_outputfile WHERE reads IS NOT NULL").fetchall()
        named = {id_ for (reads,) in records for id_ in unpack_ids(reads)}
        assert named <= stored
        sizes.append(len(stored))
    # The table does not grow from one edit to the next.
    assert sizes[1:] == sizes[:1] * 3, sizes

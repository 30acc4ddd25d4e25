"""List pages and the archive reuse the post fragments (summaries, archive
entries) an earlier build rendered, and render one again as soon as anything
it shows changes (blog/build/fragments.py)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from .conftest import build_command, build_env, copy_project, run_build
from .html_tree import parse_html

POSTS = 14
PLANTED = "planted-by-the-test"


def write_site(content: Path) -> None:
    (content / "posts").mkdir(parents=True)
    (content / "site.toml").write_text(
        'title = "Summaries"\nbase_url = "https://summaries.example/"\ntime_zone = "UTC"\nposts_per_page = 5\n',
        encoding="utf-8",
    )
    for number in range(POSTS):
        write_post(content, number, f"Post {number}")


def write_post(content: Path, number: int, title: str) -> None:
    (content / "posts" / f"post-{number:02d}.md").write_text(
        f'---\ntitle: "{title}"\ndate: 2024-01-{number + 1:02d} 12:00\ntags: [notes]\n---\n'
        f"The opening of post {number}.\n\nThe rest of post {number}.\n",
        encoding="utf-8",
    )


def summaries_on(page: Path) -> dict[str, str]:
    """Title of each summary on a list page -> the text of its summary paragraph."""
    document = parse_html(page.read_text(encoding="utf-8"))
    found = {}
    for article in document.with_class("post-summary", "article"):
        title = article.find("h2").text().strip()
        found[title] = " ".join(div.text() for div in article.with_class("summary"))
    return found


def archive_entries(output: Path) -> dict[str, str]:
    """Title of each post in the archive -> the text of its entry."""
    document = parse_html((output / "archive" / "index.html").read_text(encoding="utf-8"))
    return {item.find("a").text().strip(): item.text() for item in document.find_all("li") if item.find("time")}


def plant(cache: Path, text: str, fragment_start: str = "") -> int:
    """Rewrite the stored fragments holding ``text`` (and starting with
    ``fragment_start``); returns the rows changed."""
    with sqlite3.connect(cache / "blog.sqlite3") as database:
        changed = database.execute(
            "UPDATE blog_summaryfragment SET html = replace(html, ?, ?) WHERE html LIKE ? AND html LIKE ?",
            (text, f"{text} {PLANTED}", f"%{text}%", f"{fragment_start}%"),
        ).rowcount
    return changed


def test_list_pages_reuse_stored_summaries_until_the_post_changes(tmp_path):
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    write_site(content)
    assert run_build(content, output, cache).ok

    with sqlite3.connect(cache / "blog.sqlite3") as database:
        stored = [html for (html,) in database.execute("SELECT html FROM blog_summaryfragment")]
    assert sum(html.startswith('<article class="post-summary">') for html in stored) == POSTS
    assert sum(html.startswith("<li><time") for html in stored) == POSTS
    # Post 5 is on the second page of the home page (newest first, five a page).
    assert "Post 8" in summaries_on(output / "page" / "2" / "index.html")
    assert plant(cache, "The opening of post 8.") == 1

    # A new newest post moves every post one place down: every list page is rendered again.
    write_post(content, 20, "Newest")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    shown = summaries_on(output / "page" / "2" / "index.html")
    assert PLANTED in shown["Post 8"], "the list page rendered the summary again instead of reusing it"
    assert PLANTED in summaries_on(output / "tags" / "notes" / "page" / "2" / "index.html")["Post 8"]

    # A change to what the summary shows makes it render again.
    write_post(content, 8, "Post 8, retitled")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    shown = summaries_on(output / "page" / "2" / "index.html")
    assert "Post 8, retitled" in shown
    assert PLANTED not in shown["Post 8, retitled"]


def test_only_an_edit_to_the_summary_templates_renders_every_summary_again(tmp_path):
    """The summary key covers the templates the summary is made of: after an
    edit to base.html of a copy of the project the stored summaries are used,
    after an edit to the summary template none is."""
    project = tmp_path / "project"
    project.mkdir()
    copy_project(project)
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    write_site(content)

    def build() -> None:
        process = subprocess.run(
            build_command(content, output, cache, project=project),
            capture_output=True,
            text=True,
            env=build_env(),
            cwd=project,
            timeout=300,
        )
        assert process.returncode == 0, process.stderr

    build()
    assert plant(cache, "The opening of post 8.") == 1

    # An edit to a template the summary does not use leaves the stored summaries valid.
    base = project / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- edited -->\n</body>"), encoding="utf-8")
    write_post(content, 20, "Newest")
    build()
    assert "<!-- edited -->" in (output / "page" / "2" / "index.html").read_text(encoding="utf-8")
    assert PLANTED in summaries_on(output / "page" / "2" / "index.html")["Post 8"]

    template = project / "templates" / "includes" / "post_summary.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            '<article class="post-summary">', '<article class="post-summary edited">'
        ),
        encoding="utf-8",
    )
    build()
    page = parse_html((output / "page" / "2" / "index.html").read_text(encoding="utf-8"))
    articles = page.with_class("post-summary", "article")
    assert articles and all("edited" in article.classes() for article in articles)
    assert PLANTED not in summaries_on(output / "page" / "2" / "index.html")["Post 8"]


def test_the_archive_reuses_stored_entries_until_the_post_changes(tmp_path):
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    write_site(content)
    assert run_build(content, output, cache).ok
    assert set(archive_entries(output)) == {f"Post {number}" for number in range(POSTS)}
    assert plant(cache, ">Post 8</a>", fragment_start="<li><time") == 1

    # A new post changes the archive page; the other posts' entries are reused.
    write_post(content, 20, "Newest")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    entries = archive_entries(output)
    assert "Newest" in entries
    assert PLANTED in entries["Post 8"], "the archive rendered the entry again instead of reusing it"

    # A change to what the entry shows makes it render again.
    write_post(content, 8, "Post 8, retitled")
    build = run_build(content, output, cache)
    assert build.ok, build.process.stderr
    entries = archive_entries(output)
    assert "Post 8" not in entries
    assert PLANTED not in entries["Post 8, retitled"]


def test_an_archive_template_that_loops_with_archive_entry_shows_and_reuses_the_same_entries(tmp_path):
    """A template of one's own written before ``{% archive_entries %}``: the
    archive's lists as a loop of ``{% archive_entry post %}``."""
    project = tmp_path / "project"
    project.mkdir()
    copy_project(project)
    template = project / "templates" / "blog" / "archive.html"
    looped = template.read_text(encoding="utf-8").replace(
        "{% archive_entries posts %}", "{% for post in posts %}{% archive_entry post %}{% endfor %}"
    )
    assert "archive_entries" not in looped
    template.write_text(looped, encoding="utf-8")
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    write_site(content)
    assert run_build(content, output, cache, project=project).ok
    built_in = tmp_path / "built-in"
    assert run_build(content, built_in, tmp_path / "built-in-cache").ok
    assert archive_entries(output) == archive_entries(built_in)
    assert len(archive_entries(output)) == POSTS

    assert plant(cache, ">Post 8</a>", fragment_start="<li><time") == 1
    write_post(content, 20, "Newest")
    build = run_build(content, output, cache, project=project)
    assert build.ok, build.process.stderr
    entries = archive_entries(output)
    assert "Newest" in entries
    assert PLANTED in entries["Post 8"], "the archive rendered the entry again instead of reusing it"

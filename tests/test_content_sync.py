"""blog/content/sync.py: the content folder into the database, all problems at once."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from django.db import connection, reset_queries

from blog.build.plan import find_content_files
from blog.content.sources import Source, find_sources, list_content, sources_in
from blog.content.sync import sync_content, tag_slug
from blog.errors import ContentErrors
from blog.models import Page, Post, PostTag, Tag
from blog.siteconfig import activate_site, active_site

from .conftest import SITE_FIXTURE
from .html_tree import parse_html

pytestmark = pytest.mark.django_db

SOURCES = sorted(p for p in SITE_FIXTURE.rglob("*.md"))


@pytest.fixture(autouse=True)
def _forget_site():
    yield
    activate_site(None)


@pytest.fixture
def content(copy_fixture) -> Path:
    return copy_fixture("site")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def post_file(title: str, date: str = "2024-01-01", extra: str = "") -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\n{extra}---\nText of {title}.\n'


def test_find_sources_skips_hidden_files_and_finds_section_files_for_the_reader_to_skip(content):
    write(content / "posts" / "_index.md", "---\ntitle: Section\n---\n")
    write(content / "posts" / ".hidden.md", post_file("Hidden"))
    write(content / "posts" / ".drafts" / "x.md", post_file("Hidden too"))
    write(content / "posts" / "notes.txt", "not Markdown")
    write(content / "posts" / "long.markdown", post_file("Long suffix"))
    found = {source.relative: source.kind for source in find_sources(content)}
    expected = {p.relative_to(SITE_FIXTURE).as_posix() for p in SOURCES} | {"posts/long.markdown", "posts/_index.md"}
    assert set(found) == expected
    assert found["pages/about.md"] == "page"
    assert found["posts/long.markdown"] == "post"


def test_a_symlinked_posts_folder_is_followed_and_a_link_below_it_is_not(content, tmp_path):
    """The one walk of the content folder (list_content) follows a symlinked
    folder at the top, as authors keep posts elsewhere, and no link below it,
    so that a link to a parent folder cannot send the walk round in a loop."""
    kept = tmp_path / "kept-posts"
    write(kept / "elsewhere.md", post_file("Kept elsewhere"))
    (kept / "loop").symlink_to(kept, target_is_directory=True)
    (content / "posts").rename(tmp_path / "old-posts")
    (content / "posts").symlink_to(kept, target_is_directory=True)
    write(content / "images" / "pixel.png", "not really a PNG")
    (content / "images" / "linked.png").symlink_to(content / "images" / "pixel.png")
    (content / "images" / "broken.png").symlink_to(content / "images" / "missing.png")

    files = list_content(content)
    listed = [relative for relative, _mtime_ns, _size in files]
    assert "posts/elsewhere.md" in listed
    assert not any(name.startswith("posts/loop/") for name in listed)
    assert {"images/pixel.png", "images/linked.png"} <= set(listed)
    assert "images/broken.png" not in listed
    assert listed == sorted(listed, key=lambda name: name.split("/"))
    assert [source.relative for source in sources_in(files) if source.kind == "post"] == ["posts/elsewhere.md"]

    media = tmp_path / "media-kept-elsewhere"
    write(media / "photo.jpg", "not really a JPEG")
    (content / "media").symlink_to(media, target_is_directory=True)

    sync_content(content)
    assert [post.title for post in Post.objects.all()] == ["Kept elsewhere"]
    # The files the build publishes are picked from the same walk.
    published = find_content_files(content, list_content(content)).files
    assert {"images/pixel.png", "images/linked.png", "media/photo.jpg"} <= published.keys()
    assert not any(name.endswith(".md") for name in published)


def test_a_sync_leaves_nothing_for_the_garbage_collector_to_free(content):
    """A build pauses the collector (blog/build/collector.py), so what a sync
    leaves in a reference cycle stays for the whole build: the scan's list
    of every source did, 17 MB at 50,000 posts, in every worker too."""
    write(content / "posts" / "deep" / "deeper" / "nested.md", post_file("Nested"))
    gc.collect()
    gc.disable()
    try:
        sync_content(content)
        left = [item for item in gc.get_objects() if type(item) is Source]
    finally:
        gc.enable()
    assert left == []


def test_sync_loads_every_post_and_page():
    report = sync_content(SITE_FIXTURE)
    assert report.rendered == len(SOURCES) == 11
    assert report.warnings == []
    assert Post.objects.count() == 10
    assert list(Page.objects.values_list("slug", flat=True)) == ["about"]
    assert active_site().base_url == "https://example.org/sub/path/"


def test_url_year_and_month_are_in_the_site_zone():
    sync_content(SITE_FIXTURE)
    months = {p.slug: (p.url_year, p.url_month) for p in Post.objects.all()}
    assert months["jekyll-post"] == (2016, 11)
    # 30 June 23:30 in New York is 1 July 05:30 in Stockholm.
    assert months["offset-date"] == (2024, 7)
    assert months["日本語"] == (2024, 5)


def test_tags_keep_their_order_and_get_url_slugs():
    sync_content(SITE_FIXTURE)
    pelican = Post.objects.get(slug="pelican-style")
    assert [link.label for link in PostTag.objects.filter(post=pelican)] == ["python", "static sites", "notes"]
    assert [t.slug for t in pelican.tags.order_by("posttag__position")] == ["python", "static-sites", "notes"]
    assert Tag.objects.get(slug="日本語").name == "日本語"


def test_summary_and_description():
    sync_content(SITE_FIXTURE)
    pelican = Post.objects.get(slug="pelican-style")
    # A summary from front matter is text, wrapped in one paragraph.
    assert parse_html(pelican.summary_html).find("p").text() == "Headers as Key: value lines, ended by a blank line."
    assert pelican.description == "Headers as Key: value lines, ended by a blank line."
    zola = Post.objects.get(slug="zola-post")
    assert zola.description == "Zola nests its tags in a [taxonomies] table."
    features = Post.objects.get(slug="yaml-features")
    assert features.description == "A tour of footnotes, tables and headings."
    assert features.toc_html
    assert features.aliases == ["/old/path/"]


def test_summary_text_from_front_matter_is_escaped(content):
    write(content / "posts" / "sharp.md", post_file("Sharp", extra='summary: "<b>bold</b> & <i>"\n'))
    sync_content(content)
    summary = parse_html(Post.objects.get(slug="sharp").summary_html)
    assert summary.find("b") is None
    assert summary.text() == "<b>bold</b> & <i>"


def test_long_descriptions_are_shortened():
    sync_content(SITE_FIXTURE)
    for post in Post.objects.all():
        assert 0 < len(post.description) <= 200


def test_unchanged_files_are_not_read_again(content):
    sync_content(content)
    report = sync_content(content)
    assert (report.rendered, report.unchanged, report.removed) == (0, 11, 0)


def test_touched_but_unchanged_files_are_not_rendered_again(content):
    sync_content(content)
    source = content / "posts" / "zola-post.md"
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    report = sync_content(content)
    assert (report.rendered, report.unchanged) == (0, 11)


def test_a_changed_file_is_rendered_again(content):
    sync_content(content)
    write(content / "posts" / "zola-post.md", post_file("Zola, edited", "2024-03-01"))
    report = sync_content(content)
    assert report.rendered == 1
    assert Post.objects.get(slug="zola-post").title == "Zola, edited"
    # Its tags went with the edit; "rust" had no other post.
    assert not Tag.objects.filter(slug="rust").exists()


def test_a_deleted_file_removes_its_post(content):
    sync_content(content)
    (content / "posts" / "offset-date.md").unlink()
    report = sync_content(content)
    assert report.removed == 1
    assert not Post.objects.filter(slug="offset-date").exists()
    assert not Tag.objects.filter(slug="travel").exists()


def test_problems_in_several_files_are_reported_together_and_nothing_changes(content):
    sync_content(content)
    write(content / "posts" / "zola-post.md", post_file("Edited in the same run", "2024-03-01"))
    write(content / "posts" / "bad-date.md", post_file("Bad date", "someday"))
    write(content / "pages" / "no-title.md", "---\ndescription: x\n---\nText\n")
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    problems = caught.value.problems
    assert [(Path(p.path).name, p.line) for p in problems] == [("no-title.md", 1), ("bad-date.md", 3)]
    assert problems == sorted(problems)
    assert (
        str(caught.value)
        .splitlines()[1]
        .endswith(
            "bad-date.md:3: date: date 'someday' is not a date this tool can read"
            " (accepted forms: 2024-05-01, 2024-05-01 14:30, 2024-05-01T14:30:00, 2024-05-01 14:30:00 +0200"
            " or 2024-05-01T14:30:00Z)"
        )
    )
    # The valid edit of the same run was rolled back with the rest.
    assert Post.objects.get(slug="zola-post").title == "Zola keeps tags under taxonomies"
    assert Post.objects.count() == 10


def test_two_posts_with_one_address_are_an_error(content):
    write(content / "posts" / "other" / "zola-post.md", post_file("Same address", "2024-03-15"))
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    (problem,) = caught.value.problems
    assert "/2024/03/zola-post/index.html" in problem.message
    assert "zola-post.md" in problem.path


@pytest.mark.parametrize("name", ["tags", "pagefind"])
def test_a_page_may_not_take_a_generated_name(content, name):
    write(content / "pages" / f"{name}.md", "---\ntitle: Mine\n---\nMine.\n")
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    (problem,) = caught.value.problems
    assert problem.path.endswith(f"pages/{name}.md")
    assert f"the built-in '{name}' section" in problem.message


def test_an_alias_may_not_take_a_posts_address(content):
    write(content / "posts" / "thief.md", post_file("Thief", extra="aliases: [/2024/03/zola-post/]\n"))
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    assert "alias /2024/03/zola-post/" in caught.value.problems[0].message


def test_a_tag_shows_its_most_common_spelling(content):
    write(content / "posts" / "a.md", post_file("A", extra="tags: [Python]\n"))
    sync_content(content)
    # Six posts write "python", one "Python": one tag, spelled "python".
    tag = Tag.objects.get(slug="python")
    assert tag.name == "python"
    assert tag.posts.count() == 7


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("Static Sites", "static-sites"),
        ("日本語", "日本語"),
        ("C++", "c"),
        ("🐍", "u1f40d"),
        ("++ --", "u2b-u2b-u2d-u2d"),
    ],
)
def test_tag_slug(label, slug):
    assert tag_slug(label) == slug


def test_bad_site_toml_is_named(content):
    write(content / "site.toml", 'title = "x"\nposts_per_page = "two"\n')
    with pytest.raises(ContentErrors) as caught:
        sync_content(content)
    (problem,) = caught.value.problems
    assert problem.path.endswith("site.toml")
    assert problem.line == 2


def test_changing_the_time_zone_reads_everything_again(content):
    sync_content(content)
    toml = (content / "site.toml").read_text().replace("Europe/Stockholm", "America/Los_Angeles")
    write(content / "site.toml", toml)
    report = sync_content(content)
    assert report.rendered == 11
    # 1 July 04:30 UTC is still 30 June in Los Angeles.
    assert Post.objects.get(slug="offset-date").url_month == 6


def test_with_debug_on_the_sync_keeps_no_queries(settings):
    # DEBUG keeps every query's text, parameters quoted in: all the HTML of a site.
    settings.DEBUG = True
    reset_queries()
    report = sync_content(SITE_FIXTURE)
    assert report.rendered == len(SOURCES)
    assert not [query for query in connection.queries if "INSERT" in query["sql"]]
    # Queries after the sync are logged again.
    assert Post.objects.count() == len(SOURCES) - 1
    assert "COUNT(*)" in connection.queries[-1]["sql"]

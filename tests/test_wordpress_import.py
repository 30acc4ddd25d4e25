"""The import, run on the fixture export: what each item becomes, the report,
the comments file, and a second run."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from blog.content.reader import PAGE, POST, read_document
from blog.importers.wordpress.importer import ImportOptions, run_import
from blog.importers.wordpress.reader import ExportError, read_export
from blog.importers.wordpress.writer import DIGEST_KEY
from tests.wordpress_exports import FIXTURES, item_xml, write_export

EXPORT = FIXTURES / "blog-1.2.xml"
UPLOADS = FIXTURES / "uploads"
SITE_TOML = 'title = "Pebbles"\nbase_url = "https://new.example/"\ntime_zone = "Europe/Stockholm"\n'
ZONE = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    return folder


def imported(content: Path, **options):
    return run_import(ImportOptions(export=EXPORT, content_dir=content, **options))


def read(content: Path, relative: str):
    kind = PAGE if relative.startswith("pages/") else POST
    document, errors, _warnings = read_document((content / relative).read_bytes(), relative, relative, kind, ZONE)
    assert errors == []
    return document


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_posts_and_pages_are_written_with_front_matter_our_reader_reads(content):
    imported(content, uploads=UPLOADS)
    post = read(content, "posts/skimming-stones.md")
    assert post.title == "Skimming stones: a field guide"
    assert post.date.isoformat() == "2021-03-15T09:30:00+00:00"
    assert post.updated.isoformat() == "2021-04-01T10:00:00+00:00"
    assert post.tags == ["Outdoors", "Physics"]  # Uncategorized dropped
    assert post.summary == "How to skim a stone."
    assert post.image == "wp-content/uploads/2021/03/stone.png"
    assert post.disqus_identifier == "101 https://pebbles.example/?p=101"
    assert post.extra["wordpress_id"] == 101
    assert not post.draft
    hostile = read(content, "posts/石.md")
    assert hostile.title == 'Quotes "and" colons: a </script> title'
    team = read(content, "pages/team.md")
    assert team.aliases == ["/about/team/"]


def test_statuses(content):
    report = imported(content)
    assert read(content, "posts/a-draft-about-gravel.md").draft
    assert read(content, "posts/pending-review.md").draft
    assert read(content, "posts/members-only.md").draft
    assert read(content, "posts/diary.md").draft
    scheduled = read(content, "posts/obsidian.md")
    assert not scheduled.draft and scheduled.date.year == 2099
    assert not (content / "posts/thrown-away.md").exists()
    assert report.skipped[POST, "in the trash"] == 1
    assert any("(password-protected)" in line for line in report.drafts)
    assert any("(private)" in line for line in report.drafts)
    assert read(content, "pages/staff.md").draft
    assert dict(report.not_imported) == {
        "attachment": 2,
        "nav_menu_item": 1,
        "wp_global_styles": 1,
        "wp_navigation": 1,
        "recipe": 1,
    }


def test_a_draft_without_a_gmt_date_is_dated_in_the_sites_time_zone(content):
    imported(content)
    draft = read(content, "posts/a-draft-about-gravel.md")
    assert draft.date.isoformat() == "2021-06-01T09:00:00+02:00"


def test_slugs_empty_encoded_and_colliding(content):
    report = imported(content)
    assert read(content, "posts/sorting-pebbles-in-python.md").slug == "sorting-pebbles-in-python"
    assert read(content, "posts/石.md").slug == "石"
    assert read(content, "posts/skimming-stones-2.md").slug == "skimming-stones-2"
    changes = "\n".join(report.slug_changes)
    assert "skimming-stones -> skimming-stones-2 (already taken)" in changes
    # A page cannot be /tags/: it gets another slug, and its old URL is reported, not kept.
    assert read(content, "pages/tags-2.md").aliases == []
    assert any(line.startswith("/tags/ (page 111") for line in report.dropped_aliases)


def test_an_old_permalink_equal_to_the_new_url_is_not_an_alias(content):
    imported(content)
    assert read(content, "posts/skimming-stones.md").aliases == []
    assert read(content, "posts/skimming-stones-2.md").aliases == ["/2021/05/skimming-stones/"]


def test_bodies_become_markdown_with_links_rewritten(content):
    report = imported(content, uploads=UPLOADS)
    body = read(content, "posts/skimming-stones.md").body
    assert "[the code post](/2021/03/sorting-pebbles-in-python/)" in body
    assert "[the team](/team/)" in body
    assert "![stone.png](/wp-content/uploads/2021/03/stone.png)" in body  # the gallery
    assert "<figcaption>A well-shaped stone</figcaption>" in body
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in body
    assert "srcset" not in body
    assert "[caption" not in body and "[gallery" not in body
    assert (content / "wp-content/uploads/2021/03/stone.png").read_bytes() == (
        UPLOADS / "2021/03/stone.png"
    ).read_bytes()
    code = read(content, "posts/sorting-pebbles-in-python.md").body
    assert "```python\ndef heaviest(pebbles):" in code
    assert "```js\nconst light = pebbles.filter(p => p.weight < 10);\n```" in code
    assert "<!-- wp:" not in code
    assert "[skimming](/2021/03/skimming-stones/)" in code
    assert report.unknown_shortcodes == ["posts/skimming-stones.md:29: [audio]"]
    lines = (content / "posts/skimming-stones.md").read_text(encoding="utf-8").splitlines()
    assert lines[28].startswith("[audio ")


def test_missing_attachments_are_listed_and_never_fetched(content):
    report = imported(content)  # no --uploads
    missing = "\n".join(report.missing)
    assert "2021/03/stone.png" in missing and "2021/03/missing.jpg" in missing
    assert not (content / "wp-content").exists()
    post = read(content, "posts/skimming-stones.md")
    assert post.image == "https://pebbles.example/wp-content/uploads/2021/03/stone.png"
    with_uploads = imported(content, uploads=UPLOADS, force=True)
    assert [line for line in with_uploads.missing if "stone.png" in line] == []


def test_a_second_run_changes_nothing(content, tmp_path):
    imported(content, uploads=UPLOADS)
    before = snapshot(tmp_path)
    mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    report = imported(content, uploads=UPLOADS)
    assert snapshot(tmp_path) == before
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == mtimes
    assert set(report.files) == {"unchanged"}
    assert report.uploads_copied == 0


def test_an_edited_file_is_left_alone_unless_forced(content):
    imported(content)
    edited = content / "posts/skimming-stones.md"
    text = edited.read_text(encoding="utf-8").replace("It needs spin.", "It needs a lot of spin.")
    edited.write_text(text, encoding="utf-8")
    report = imported(content)
    assert edited.read_text(encoding="utf-8") == text
    assert report.edited == ["posts/skimming-stones.md (edited (left alone))"]
    assert "posts/skimming-stones.md" in "\n".join(report.lines())
    forced = imported(content, force=True)
    assert "It needs spin." in edited.read_text(encoding="utf-8")
    assert forced.edited == ["posts/skimming-stones.md (edited, overwritten (--force))"]


def test_a_file_the_importer_did_not_write_is_never_overwritten(content):
    mine = content / "pages/about.md"
    mine.parent.mkdir()
    mine.write_text("---\ntitle: My own about page\n---\nHello.\n", encoding="utf-8")
    report = imported(content)
    assert mine.read_text(encoding="utf-8").startswith("---\ntitle: My own about page")
    assert DIGEST_KEY not in mine.read_text(encoding="utf-8")
    # The imported About page takes another name, and its old address stays with the author's page.
    assert read(content, "pages/about-2.md").title == "About"
    assert "/about/ (page 112, pages/about-2.md): collides with pages/about.md, already in the content folder" in (
        report.dropped_aliases
    )
    assert imported(content).files == {"unchanged": 13}


def test_a_post_of_the_author_at_the_same_address_keeps_it(content):
    (content / "posts").mkdir()
    (content / "posts/2021-03-15-mine.md").write_text(
        "---\ntitle: Mine\nslug: skimming-stones\n---\nThe author's own.\n", encoding="utf-8"
    )
    report = imported(content)
    moved = read(content, "posts/skimming-stones-2.md")
    assert moved.title == "Skimming stones: a field guide"
    assert moved.aliases == []  # its old address is the author's post now
    assert any("skimming-stones -> skimming-stones-2" in line for line in report.slug_changes)
    assert any("collides with posts/2021-03-15-mine.md" in line for line in report.dropped_aliases)


def test_a_dry_run_writes_nothing_and_reports(content, tmp_path):
    before = snapshot(tmp_path)
    report = imported(content, uploads=UPLOADS, dry_run=True)
    assert snapshot(tmp_path) == before
    text = "\n".join(report.lines())
    assert "dry run: nothing written" in text
    assert "Files that would be written: 13 created; 2 attachments would be copied." in text


def test_the_report_names_everything_it_must(content):
    text = "\n".join(imported(content).lines())
    for expected in (
        "4 post (published)",
        "1 post (scheduled)",
        "3 page (published)",
        "1 post: in the trash",
        "Slugs changed:",
        "Unknown shortcodes, left as written:",
        "Missing attachments",
        str(content.parent / "disqus-import.xml"),
    ):
        assert expected in text


def test_disqus_import_round_trips_through_the_reader(content):
    report = imported(content)
    assert report.disqus_file == content.parent / "disqus-import.xml"
    threads = list(read_export(report.disqus_file))
    assert [t.title for t in threads] == ["Skimming stones: a field guide"]
    (thread,) = threads
    assert thread.link == "https://new.example/2021/03/skimming-stones/"
    assert [(c.comment_id, c.parent, c.author) for c in thread.comments] == [
        ("1", "0", "Agate"),
        ("3", "1", "Basalt"),
        ("5", "3", "Flint"),  # its parent was trashed: it hangs from the nearest kept one
    ]
    assert thread.comments[0].content == "Seven skips & counting <3"
    assert report.comments == 3
    assert report.comments_dropped == {"spam": 1, "trash": 1, "on drafts": 1}
    raw = report.disqus_file.read_text(encoding="utf-8")
    assert "<dsq:thread_identifier>101 https://pebbles.example/?p=101</dsq:thread_identifier>" in raw


def test_a_50_mb_body_is_refused_cleanly(content, tmp_path):
    export = write_export(
        tmp_path / "big.xml", [item_xml(1, "Huge", "x" * (50 * 1024 * 1024)), item_xml(2, "Small", "tiny", "small")]
    )
    report = run_import(ImportOptions(export=export, content_dir=content))
    assert report.skipped[POST, "body over 10 MB (item 1)"] == 1
    assert (content / "posts/small.md").exists()
    assert not (content / "posts/huge.md").exists()


def test_a_file_that_is_not_an_export_is_an_error(content, tmp_path):
    other = tmp_path / "feed.xml"
    other.write_text("<rss><channel><title>Just a feed</title></channel></rss>", encoding="utf-8")
    with pytest.raises(ExportError, match="not a WordPress export"):
        run_import(ImportOptions(export=other, content_dir=content))


def test_a_hostile_export_leaves_the_content_folder_as_it_was(content, tmp_path):
    shutil.copy(FIXTURES / "entity-bomb.xml", tmp_path / "bomb.xml")
    before = snapshot(content)
    with pytest.raises(ExportError):
        run_import(ImportOptions(export=tmp_path / "bomb.xml", content_dir=content))
    assert snapshot(content) == before


def test_moved_urls_are_listed_for_disqus_url_mapper(content):
    report = imported(content)
    assert report.url_map_file == content.parent / "disqus-url-map.csv"
    with report.url_map_file.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert ["https://pebbles.example/about/team/", "https://new.example/team/"] in rows
    assert ["https://pebbles.example/?p=102", "https://new.example/2021/03/sorting-pebbles-in-python/"] in rows
    # Drafts are not published: their threads have nowhere to go.
    assert not [row for row in rows if "diary" in row[0]]


def test_an_old_permalink_our_reader_would_refuse_is_dropped_and_reported(content, tmp_path):
    item = item_xml(5, "Odd", "Body.", "odd").replace(
        "<link>https://generated.example/?p=5</link>", "<link>https://generated.example/what%3Fnow/</link>"
    )
    export = write_export(tmp_path / "odd.xml", [item])
    report = run_import(ImportOptions(export=export, content_dir=content))
    assert read(content, "posts/odd.md").aliases == []
    assert report.dropped_aliases == [
        "/what?now/ (post 5, posts/odd.md): not a path the site can serve (it has a ?, a # or a control character)"
    ]


def test_escaped_titles_and_term_names_come_back_as_text(content, tmp_path):
    item = item_xml(6, "Q&amp;A: tips &amp; tricks", "Body.", "qa").replace(
        '<category domain="post_tag" nicename="tag-6"><![CDATA[Tag 6]]></category>',
        '<category domain="category" nicename="tips"><![CDATA[Tips &amp; tricks]]></category>',
    )
    run_import(ImportOptions(export=write_export(tmp_path / "qa.xml", [item]), content_dir=content))
    post = read(content, "posts/qa.md")
    assert post.title == "Q&A: tips & tricks"
    assert post.tags == ["Tips & tricks"]


def test_the_command_reports_errors_without_a_traceback(content, tmp_path):
    with pytest.raises(CommandError, match=r"no such file \(give the path of the \.xml file WordPress exported\)"):
        call_command("import_wordpress", str(tmp_path / "nope.xml"), "--content", str(content))
    with pytest.raises(CommandError, match="--uploads .*: not a folder"):
        call_command("import_wordpress", str(EXPORT), "--uploads", str(tmp_path / "nope"), "--content", str(content))
    with pytest.raises(CommandError, match=r"malformed\.xml:6:18: the export is not well-formed XML"):
        call_command("import_wordpress", str(FIXTURES / "malformed.xml"), "--content", str(content))
    assert sorted(p.name for p in content.iterdir()) == ["site.toml"]

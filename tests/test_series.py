"""Series (blog/series.py): each part's box, the series' pages, the sitemap,
and what an incremental build does when a part is added, moved or re-dated."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from django.test.utils import override_script_prefix
from django.urls import reverse

from blog.content.sync import sync_content
from blog.siteconfig import activate_site, serve_under_base_path
from blog.visibility import Visibility, visible

from .conftest import FIXTURES, run_build
from .html_tree import parse_html
from .output_trees import snapshot, tree_differences

SERIES_FIXTURE = FIXTURES / "series"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RUST = ["Ownership first", "Borrowing, part two", "Lifetimes at last"]


@pytest.fixture
def plain_static(db, settings):
    """Static files by their plain names, as the preview serves them."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def get(client, plain_static):
    """GET a named URL of the series fixture, synced as the build sees it."""
    with visible(Visibility()):
        sync_content(SERIES_FIXTURE)
        serve_under_base_path(True)

        def fetch(name: str, *args, status: int = 200):
            response = client.get(reverse(name, args=args))
            assert response.status_code == status, response.content[:500]
            return parse_html(response.content.decode()) if status == 200 else None

        yield fetch
    serve_under_base_path(False)
    activate_site(None)


def link(name: str, *args) -> str:
    with override_script_prefix("/notes/"):
        return reverse(name, args=args)


def series_box(page):
    boxes = page.with_class("series-box", "nav")
    return boxes[0] if boxes else None


@pytest.mark.parametrize(("month", "slug", "number"), [(3, "ownership", 1), (3, "borrowing", 2), (4, "lifetimes", 3)])
def test_each_part_shows_its_place_and_links_to_every_part_in_date_order(get, month, slug, number):
    box = series_box(get("blog:post", f"2024/{month:02d}/{slug}"))
    assert box.get("aria-label") == "Series: Learning Rust"
    assert box.with_class("series-place")[0].text() == f"Part {number} of 3 in the series Learning Rust"
    assert box.with_class("series-place")[0].find("a").get("href") == link("blog:series", "learning-rust")
    parts = box.with_class("series-parts", "ol")[0].find_all("a")
    assert [a.text() for a in parts] == RUST
    assert [a.get("href") for a in parts] == [
        link("blog:post", "2024/03/ownership"),
        link("blog:post", "2024/03/borrowing"),
        link("blog:post", "2024/04/lifetimes"),
    ]
    assert [a.get("aria-current") for a in parts] == ["page" if n == number else None for n in (1, 2, 3)]


def test_a_post_in_no_series_has_no_box(get):
    assert series_box(get("blog:post", "2024/03/plain")) is None


def test_a_series_of_one_says_part_one_of_one(get):
    box = series_box(get("blog:post", "2024/02/alone"))
    assert box.with_class("series-place")[0].text() == "Part 1 of 1 in the series Café notes"


def test_the_series_page_lists_its_visible_parts_in_order(get):
    page = get("blog:series", "learning-rust")
    assert page.find("h1").text() == "Series: Learning Rust"
    assert [a.text() for a in page.with_class("series-list", "ol")[0].find_all("a")] == RUST
    get("blog:series", "no-such-series", status=404)


def test_the_series_index_lists_every_series(get):
    page = get("blog:series_list")
    entries = page.with_class("series-index", "ul")[0].find_all("li")
    assert [(li.find("a").text(), li.find("a").get("href")) for li in entries] == [
        ("Café notes", link("blog:series", "café-notes")),
        ("Learning Rust", link("blog:series", "learning-rust")),
    ]
    assert [li.with_class("series-count")[0].text() for li in entries] == ["(1 part)", "(3 parts)"]


def test_drafts_and_future_parts_count_in_the_preview(client, plain_static):
    with visible(Visibility(drafts=True, future=True)):
        sync_content(SERIES_FIXTURE)
        response = client.get(reverse("blog:post", args=["2024/03/ownership"]))
    activate_site(None)
    box = series_box(parse_html(response.content.decode()))
    assert box.with_class("series-place")[0].text() == "Part 1 of 5 in the series Learning Rust"


# --- the built site ----------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("series-build")
    build = run_build(SERIES_FIXTURE, root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return build


def test_the_build_writes_the_series_pages_and_the_sitemap_lists_them(built):
    assert (built.output / "series" / "index.html").is_file()
    assert (built.output / "series" / "learning-rust" / "index.html").is_file()
    assert (built.output / "series" / "café-notes" / "index.html").is_file()
    root = ET.parse(built.output / "sitemap.xml").getroot()
    locations = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    assert {
        "https://example.org/notes/series/",
        "https://example.org/notes/series/learning-rust/",
        "https://example.org/notes/series/caf%C3%A9-notes/",
    } <= locations
    assert "warning" not in built.process.stderr


def test_a_site_without_series_has_no_series_pages(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    build = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert build.ok, build.process.stderr
    assert not (build.output / "series").exists()
    assert "/series/" not in (build.output / "sitemap.xml").read_text(encoding="utf-8")


def places(output, relative: str) -> str:
    page = parse_html((output / relative).read_text(encoding="utf-8"))
    box = series_box(page)
    return box.with_class("series-place")[0].text() if box else ""


def test_adding_and_re_dating_a_part_updates_the_other_parts_incrementally(tmp_path):
    """Issue 15: the other parts' "Part N of M" follows the series in an
    incremental build, which writes what a clean build writes."""
    content = tmp_path / "content"
    shutil.copytree(SERIES_FIXTURE, content)
    first = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert first.ok, first.process.stderr
    assert places(first.output, "2024/04/lifetimes/index.html") == "Part 3 of 3 in the series Learning Rust"

    # A new part, dated before every other one; the plain post joins the series.
    (content / "posts" / "prelude.md").write_text(
        "---\ntitle: Prelude\ndate: 2024-01-15 09:00\nseries: Learning Rust\n---\nBefore it all.\n", encoding="utf-8"
    )
    plain = content / "posts" / "plain.md"
    plain.write_text(plain.read_text(encoding="utf-8").replace("---\nNothing", "series: Learning Rust\n---\nNothing"))
    # And the third part moves to the front.
    lifetimes = content / "posts" / "lifetimes.md"
    lifetimes.write_text(lifetimes.read_text(encoding="utf-8").replace("2024-04-02", "2024-01-02"))

    second = run_build(content, tmp_path / "output", tmp_path / "cache")
    clean = run_build(content, tmp_path / "clean" / "output", tmp_path / "clean" / "cache")
    assert second.ok and clean.ok, second.process.stderr + clean.process.stderr
    assert places(second.output, "2024/01/lifetimes/index.html") == "Part 1 of 5 in the series Learning Rust"
    assert places(second.output, "2024/03/ownership/index.html") == "Part 3 of 5 in the series Learning Rust"
    assert places(second.output, "2024/03/plain/index.html") == "Part 4 of 5 in the series Learning Rust"
    assert places(second.output, "2024/03/borrowing/index.html") == "Part 5 of 5 in the series Learning Rust"
    differences = tree_differences(snapshot(second.output), snapshot(clean.output))
    assert not differences, "\n".join(differences)

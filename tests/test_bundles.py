"""A Zola site and a Hugo site copied into content/posts/ unchanged build with
every URL they had: page bundles, ``path`` and ``url``, both alias forms,
``.html`` aliases, ``@/`` and ``.md`` links, posts dated only by their path;
built under a base_url with a sub-path and checked by parsing the output."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import FIXTURES, Build, fixture_base_url, run_build
from .site_links import Site

ZOLA = FIXTURES / "bundles" / "zola"
HUGO = FIXTURES / "bundles" / "hugo"

# Every address each old site had for a post -> the post's URL path, from the site's root.
ZOLA_ADDRESSES = {
    "2024/11/26/tide-tables/": "2024/11/26/tide-tables/",
    "2024/11/26/tide-tables.html": "2024/11/26/tide-tables/",
    "blog/tide-tables/": "2024/11/26/tide-tables/",
    "2023/05/may-notes/": "2023/05/may-notes/",
    "2024/12/knots/": "2024/12/knots/",
    "old/knots.html": "2024/12/knots/",
}
HUGO_ADDRESSES = {
    "2019/03/leaf-bundle/": "2019/03/leaf-bundle/",
    "old/leaf-bundle/": "2019/03/leaf-bundle/",
    # Hugo's relative alias: from the folder the post's own folder is in.
    "2019/03/old-leaf.html": "2019/03/leaf-bundle/",
    "blog/plain-post.html": "blog/plain-post/",
    "2018/07/15/dated-by-url/": "2018/07/15/dated-by-url/",
    "2018/dated.html": "2018/07/15/dated-by-url/",
}
BUNDLE_FILES = {
    ZOLA: [
        "2024/11/26/tide-tables/chart.png",
        "2024/11/26/tide-tables/readings.txt",
        "2023/05/may-notes/photos/dock.png",
    ],
    HUGO: ["2019/03/leaf-bundle/heron.png"],
}


@pytest.fixture(scope="module", params=[ZOLA, HUGO], ids=["zola", "hugo"])
def built(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param.name)
    result = run_build(request.param, root / "output", root / "cache")
    assert result.ok, result.process.stderr
    return request.param, result, Site(root / "output", fixture_base_url(request.param))


def test_fixtures_are_served_under_a_sub_path(built):
    content, _result, site = built
    assert urlsplit(site.base_url).path.count("/") >= 3, "the fixtures must test a base_url with a sub-path"


def test_every_old_address_reaches_its_post(built):
    content, _result, site = built
    addresses = ZOLA_ADDRESSES if content == ZOLA else HUGO_ADDRESSES
    for old, post in addresses.items():
        served = site.file_for(site.base_url + old)
        assert served is not None, f"nothing is served at /{old}"
        page = site.page(served)
        if old == post:
            assert page.find("article", **{"class": "post"}) is not None, old
            continue
        refresh = next(m for m in page.iter("meta") if m.get("http-equiv") == "refresh")
        assert refresh.get("content").split("url=", 1)[1] == site.base_url + post, old


def test_every_image_and_internal_link_resolves(built):
    _content, _result, site = built
    broken = []
    for relative in site.files(".html"):
        for link in site.html_links(relative):
            broken += _broken(site, link)
    for relative in [*site.files(".xml")]:
        if relative.endswith(("rss.xml", "atom.xml")):
            for link in site.feed_links(relative):
                broken += _broken(site, link)
    assert broken == []


def _broken(site: Site, link) -> list[tuple[str, str]]:
    if not site.is_internal(link.url):
        return [] if not link.url.startswith("blog-source:") else [(link.source, link.url)]
    served = site.file_for(link.url)
    if served is None:
        return [(link.source, link.url)]
    fragment = unquote(urlsplit(link.url).fragment)
    if fragment and served.endswith(".html") and fragment not in site.page(served).ids():
        return [(link.source, link.url)]
    return []


def test_bundle_files_are_published_beside_their_post_and_shown_in_summaries(built):
    content, _result, site = built
    for relative in BUNDLE_FILES[content]:
        assert (site.output / relative).read_bytes() == (content / "posts" / _source_of(content, relative)).read_bytes()
    home = site.page("index.html")
    images = {unquote(img.get("src")) for summary in home.with_class("summary") for img in summary.iter("img")}
    expected = {urlsplit(site.base_url).path + name for name in BUNDLE_FILES[content] if name.endswith(".png")}
    # A summary shows the image of its opening paragraph only.
    assert images and images <= expected


def _source_of(content: Path, published: str) -> str:
    folder = {
        "2024/11/26/tide-tables/": "blog/tide-tables/",
        "2023/05/may-notes/": "blog/may-notes/",
        "2019/03/leaf-bundle/": "leaf-bundle/",
    }
    for url, source in folder.items():
        if published.startswith(url):
            return source + published[len(url) :]
    raise AssertionError(published)


def test_posts_dated_only_by_their_path(built):
    content, _result, site = built
    dated = {ZOLA: ("2024/11/26/tide-tables/", "2024-11-26"), HUGO: ("2018/07/15/dated-by-url/", "2018-07-15")}
    post, day = dated[content]
    times = site.page(post + "index.html").find_all("time")
    assert any((time.get("datetime") or "").startswith(day) for time in times)
    if content == ZOLA:
        times = site.page("2023/05/may-notes/index.html").find_all("time")
        assert any((time.get("datetime") or "").startswith("2023-05-01") for time in times)


def test_internal_links_lead_to_the_posts_urls(built):
    content, _result, site = built
    prefix = urlsplit(site.base_url).path
    if content == ZOLA:
        body = site.page("2024/11/26/tide-tables/index.html").with_class("post-body")[0]
        hrefs = [a.get("href") for a in body.iter("a")]
        assert prefix + "2024/12/knots/#setting-up" in hrefs
        assert prefix in hrefs  # @/_index.md: the home page
        # Code spans and blocks keep what was written.
        assert body.find("code").text() == "[a link](@/blog/missing.md)"
        assert "[also kept](@/blog/missing.md)" in body.find("pre").text()
        knots = site.page("2024/12/knots/index.html").with_class("post-body")[0]
        hrefs = [a.get("href") for a in knots.iter("a")]
        # Root-relative links to what the site has get the sub-path.
        assert prefix + "images/logo.png" in hrefs and prefix + "2024/11/26/tide-tables/" in hrefs
    else:
        body = site.page("2019/03/leaf-bundle/index.html").with_class("post-body")[0]
        hrefs = [a.get("href") for a in body.iter("a")]
        assert hrefs == [prefix + "blog/plain-post/", prefix + "2018/07/15/dated-by-url/#findings"]


def test_sitemap_lists_the_real_urls(built):
    content, _result, site = built
    sitemap = (site.output / "sitemap.xml").read_text()
    addresses = ZOLA_ADDRESSES if content == ZOLA else HUGO_ADDRESSES
    for post in set(addresses.values()):
        assert f"<loc>{site.base_url}{post}</loc>" in sitemap
    for old in set(addresses) - set(addresses.values()):
        assert f"{site.base_url}{old}<" not in sitemap


def test_section_and_template_files_are_skipped_and_counted(built):
    content, result, _site = built
    skipped = 3 if content == ZOLA else 1
    assert f"({skipped} section or template files skipped)" in result.process.stdout + result.process.stderr


def test_a_link_to_a_missing_source_is_an_error_naming_file_and_line(tmp_path):
    content = tmp_path / "zola"
    shutil.copytree(ZOLA, content)
    post = content / "posts" / "blog" / "knots.md"
    post.write_text(post.read_text().replace("./tide-tables/index.md", "./tide-charts/index.md"))
    result = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert not result.ok
    assert f"{post.as_posix()}:9: the link './tide-charts/index.md' leads to posts/blog/tide-charts/index.md" in (
        result.process.stderr
    )
    assert not (tmp_path / "output").exists()


def test_deleting_a_linked_post_is_an_error_in_the_file_that_links_to_it(tmp_path):
    content = tmp_path / "zola"
    shutil.copytree(ZOLA, content)
    first = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert first.ok, first.process.stderr
    (content / "posts" / "blog" / "knots.md").unlink()
    second = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert not second.ok
    linking = (content / "posts" / "blog" / "tide-tables" / "index.md").as_posix()
    assert f"{linking}:11: links to posts/blog/knots.md, which does not exist" in second.process.stderr
    # The previous site is left as it was.
    assert (tmp_path / "output" / "2024" / "12" / "knots" / "index.html").is_file()


def test_a_link_to_a_draft_is_an_error_naming_the_linking_file(tmp_path):
    content = tmp_path / "zola"
    shutil.copytree(ZOLA, content)
    post = content / "posts" / "blog" / "knots.md"
    post.write_text(post.read_text().replace("date = 2024-12-02", "date = 2024-12-02\ndraft = true"))
    result = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert not result.ok
    linking = (content / "posts" / "blog" / "tide-tables" / "index.md").as_posix()
    assert f"{linking}:11: links to posts/blog/knots.md, which is not published" in result.process.stderr


def test_moving_a_linked_post_updates_the_links_to_it_in_an_incremental_build(tmp_path):
    content = tmp_path / "zola"
    shutil.copytree(ZOLA, content)
    first = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert first.ok, first.process.stderr
    knots = content / "posts" / "blog" / "knots.md"
    knots.write_text(knots.read_text().replace("date = 2024-12-02", 'date = 2024-12-02\npath = "boats/knots"'))
    again = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert again.ok, again.process.stderr
    site = Site(tmp_path / "output", fixture_base_url(content))
    body = site.page("2024/11/26/tide-tables/index.html").with_class("post-body")[0]
    assert "/sub/notes/boats/knots/#setting-up" in [a.get("href") for a in body.iter("a")]
    assert_same_as_a_clean_build(content, site, tmp_path)


def test_two_posts_at_one_path_are_an_error_naming_both(tmp_path):
    content = tmp_path / "hugo"
    shutil.copytree(HUGO, content)
    clash = content / "posts" / "clash.md"
    clash.write_text('---\ntitle: "Clash"\ndate: 2020-01-01\nurl: /2019/03/leaf-bundle/\n---\nSame place.\n')
    result = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert not result.ok
    errors = [line for line in result.process.stderr.splitlines() if "/2019/03/leaf-bundle/index.html" in line]
    assert len(errors) == 1
    assert "clash.md" in errors[0] and "leaf-bundle/index.md" in errors[0]


def _zola_built_with_a_line_in_knots(tmp_path: Path, line: str) -> tuple[Path, Path, Build, Site]:
    """The Zola fixture with ``line`` added to the end of knots.md, built:
    the content folder, knots.md, the build and its site."""
    content = tmp_path / "zola"
    shutil.copytree(ZOLA, content)
    knots = content / "posts" / "blog" / "knots.md"
    knots.write_text(knots.read_text() + f"\n{line}\n")
    result = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert result.ok, result.process.stderr
    return content, knots, result, Site(tmp_path / "output", fixture_base_url(content))


def _knots_hrefs(site: Site) -> list[str]:
    body = site.page("2024/12/knots/index.html").with_class("post-body")[0]
    return [a.get("href") for a in body.iter("a")]


def test_root_relative_links_to_nothing_stay_as_written_and_are_warned_about(tmp_path):
    _content, knots, result, site = _zola_built_with_a_line_in_knots(tmp_path, "See [an old post](/2015/03/gone/).")
    hrefs = _knots_hrefs(site)
    assert "/2015/03/gone/" in hrefs and "/sub/notes/images/logo.png" in hrefs
    warning = f"{knots.as_posix()}:16: the page /2024/12/knots/index.html links to '/2015/03/gone/', which is outside"
    assert warning in result.process.stderr


def test_a_root_relative_link_is_rewritten_when_the_file_it_names_is_added(tmp_path):
    # Whether the site has a link's target is a site-index lookup; the
    # content files are part of what the index holds, so adding one reaches
    # the pages that asked about it (blog/site_index.py, holdings).
    line = "The [tide tables](/files/tides.txt) for the year."
    content, _knots, _first, site = _zola_built_with_a_line_in_knots(tmp_path, line)
    assert "/files/tides.txt" in _knots_hrefs(site)
    (content / "files").mkdir()
    (content / "files" / "tides.txt").write_text("High water at noon.\n")
    again = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert again.ok, again.process.stderr
    assert "/sub/notes/files/tides.txt" in _knots_hrefs(site)
    assert_same_as_a_clean_build(content, site, tmp_path)


def assert_same_as_a_clean_build(content: Path, site: Site, tmp_path: Path) -> None:
    """Every file a clean build of ``content`` writes, the incrementally built
    ``site`` holds with the same bytes."""
    clean = run_build(content, tmp_path / "clean", tmp_path / "clean-cache")
    assert clean.ok, clean.process.stderr
    for relative in Site(tmp_path / "clean", site.base_url).files():
        assert (site.output / relative).read_bytes() == (tmp_path / "clean" / relative).read_bytes(), relative

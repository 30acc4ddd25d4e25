"""blog/deploy/plan.py and headers.py: what a publish uploads, in which
waves, with which headers."""

from __future__ import annotations

from blog.deploy.headers import IMMUTABLE, REVALIDATED, SHORT_LIVED, headers_for
from blog.deploy.local import scan
from blog.deploy.plan import RemoteFile, make_plan
from blog.deploy.targets import HeaderRule
from blog.siteconfig import SiteConfig

SITE = SiteConfig(base_url="https://example.org/blog/")


def write(root, files: dict[str, str]):
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return scan(root)


def waves(plan) -> list[set[str]]:
    return [{upload.relative for upload in wave} for wave in plan.waves]


def test_assets_named_by_assets_go_first_then_pages_then_the_home_page_and_sitemap(tmp_path):
    local = write(
        tmp_path,
        {
            "static/font.0123456789ab.woff2": "font",
            "static/site.0123456789ab.css": "@font-face { src: url(font.0123456789ab.woff2) }",
            "post/index.html": '<link rel="stylesheet" href="../static/site.0123456789ab.css"><a href="/blog/">h</a>',
            "index.html": '<a href="/blog/post/">post</a>',
            "sitemap.xml": "<urlset><url><loc>https://example.org/blog/post/</loc></url></urlset>",
        },
    )
    plan = make_plan(SITE, local, {})
    assert waves(plan) == [
        {"static/font.0123456789ab.woff2"},
        {"static/site.0123456789ab.css"},
        {"post/index.html"},
        {"index.html", "sitemap.xml"},
    ]


def test_a_changed_page_that_links_to_a_new_page_waits_for_it(tmp_path):
    local = write(
        tmp_path,
        {
            "new/index.html": "<p>new post</p>",
            "tags/x/index.html": '<a href="/blog/new/">new</a>',
            "about/index.html": "<p>changed, links to nothing new</p>",
        },
    )
    remote = {"tags/x/index.html": RemoteFile("0" * 32, None), "about/index.html": RemoteFile("0" * 32, None)}
    plan = make_plan(SITE, local, remote)
    assert waves(plan) == [{"new/index.html", "about/index.html"}, {"tags/x/index.html"}]
    assert {upload.relative: upload.reason for upload in plan.uploads}["tags/x/index.html"] == "changed"


def test_unchanged_files_stay_and_missing_ones_are_deleted_up_to_the_limit(tmp_path):
    local = write(tmp_path, {"a.txt": "a"})
    same = RemoteFile(local["a.txt"].md5, local["a.txt"].headers)
    remote = {"a.txt": same, "gone1.txt": same, "gone2.txt": same}
    plan = make_plan(SITE, local, remote)
    assert (plan.uploads, plan.unchanged, plan.deletes, plan.refused) == ([], 1, ["gone1.txt", "gone2.txt"], "")
    refused = make_plan(SITE, local, remote, max_deletes=1)
    assert refused.deletes == [] and "more than --max-deletes 1" in refused.refused
    other_headers = RemoteFile(local["a.txt"].md5, local["a.txt"].headers._replace(cache_control="no-store"))
    assert [u.reason for u in make_plan(SITE, local, {"a.txt": other_headers}).uploads] == ["headers"]
    assert [u.reason for u in make_plan(SITE, local, {"a.txt": same}, force=True).uploads] == ["forced"]


def test_headers():
    assert headers_for("index.html", b"", ()) == ("text/html; charset=utf-8", REVALIDATED)
    assert headers_for("static/css/site.6fd20ccf01d9.css", b"", ()).cache_control == IMMUTABLE
    assert headers_for("static/css/site.css", b"", ()).cache_control == SHORT_LIVED
    assert headers_for("feed.xml", b"<?xml version='1.0'?><feed xmlns=", ()).content_type == (
        "application/atom+xml; charset=utf-8"
    )
    assert headers_for("robots.txt", b"", ()).content_type == "text/plain; charset=utf-8"
    rules = (HeaderRule("*.txt", cache_control="no-cache"), HeaderRule("robots.txt", content_type="text/x-robots"))
    assert headers_for("robots.txt", b"", rules) == ("text/x-robots", "no-cache")

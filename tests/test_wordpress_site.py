"""End to end: import the fixture export with the real command, build the
site, and read the output as a visitor's browser and a web server would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT, build_env, run_build
from tests.html_tree import parse_html
from tests.wordpress_exports import FIXTURES, import_and_build

# What the fixture's published items are, by WordPress ID.
PUBLISHED = {"101", "102", "103", "104", "111", "112", "113"}
# Old permalinks that must redirect, and where to.
OLD_PERMALINKS = {
    "/about/team/": "/blog/team/",
    "/2021/05/skimming-stones/": "/blog/2021/05/skimming-stones-2/",
}
KNOWN_SHORTCODES = ("[caption", "[gallery", "[embed", "[code", "[sourcecode", "[source")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    imported, build = import_and_build(tmp_path_factory.mktemp("wordpress-site"))
    return build


def page(build, url: str):
    relative = unquote(url).removeprefix("/blog/")
    return parse_html(build.read(relative + "index.html"))


def test_every_published_item_is_at_its_new_url(site):
    targets = json.loads(site.read("wordpress-ids.json"))
    assert set(targets) == PUBLISHED
    for url in targets.values():
        assert url.startswith("/blog/")
        assert page(site, url).find("h1") is not None, url


def test_drafts_private_and_scheduled_items_are_not_published(site):
    for missing in (
        "2021/06/diary",
        "2021/06/members-only",
        "2021/06/a-draft-about-gravel",
        "2099/01/obsidian",
        "staff",
    ):
        assert not (site.output / missing).exists(), missing
    # A draft page's old address is not published either.
    assert not (site.output / "about/staff").exists()
    assert "staff" not in site.read("sitemap.xml")


def test_every_old_permalink_redirects_to_the_new_url(site):
    for old, new in OLD_PERMALINKS.items():
        redirect = page(site, "/blog" + old)
        canonical = redirect.find("link")
        assert canonical.get("rel") == "canonical"
        assert canonical.get("href") == "http://127.0.0.1" + new


def test_an_old_permalink_on_our_own_section_is_dropped_and_the_section_stays(site):
    assert "An old page of tags." not in page(site, "/blog/tags/").text()
    assert "An old page of tags." in page(site, "/blog/tags-2/").text()


def test_redirect_rules_for_web_servers(site):
    netlify = site.read("_redirects").splitlines()
    assert "/blog/about/team/ /blog/team/ 301" in netlify
    nginx = site.read("nginx-redirects.conf")
    assert 'location = "/blog/about/team/" { return 301 "/blog/team/"; }' in nginx
    assert 'if ($arg_p = "102") { return 301 "/blog/2021/03/sorting-pebbles-in-python/"; }' in nginx


def test_the_home_page_carries_the_wordpress_redirect_script(site):
    home = parse_html(site.read("index.html"))
    (script,) = [s for s in home.iter("script") if s.get("data-map")]
    assert script.get("data-map") == "/blog/wordpress-ids.json"


def test_disqus_gets_the_old_identifier(site):
    post = page(site, "/blog/2021/03/skimming-stones/")
    (settings,) = [s for s in post.iter("script") if s.get("id") == "disqus-settings"]
    data = json.loads(settings.raw_text())
    assert data["identifier"] == "101 https://pebbles.example/?p=101"
    assert data["url"] == "http://127.0.0.1/blog/2021/03/skimming-stones/"


def test_code_blocks_are_highlighted(site):
    post = page(site, "/blog/2021/03/sorting-pebbles-in-python/")
    blocks = [div for div in post.iter("div") if "highlight" in div.classes()]
    assert len(blocks) == 3
    for block in blocks:
        assert block.find("span") is not None


def test_no_raw_shortcode_the_importer_knows_is_left(site):
    for html in site.output.rglob("*.html"):
        text = parse_html(html.read_text(encoding="utf-8")).text()
        for shortcode in KNOWN_SHORTCODES:
            assert shortcode not in text, html


def test_images_and_links_point_inside_the_new_site(site):
    post = page(site, "/blog/2021/03/skimming-stones/")
    sources = {img.get("src") for img in post.iter("img")}
    assert "/blog/wp-content/uploads/2021/03/stone.png" in sources
    assert (site.output / "wp-content/uploads/2021/03/stone.png").is_file()
    hrefs = {a.get("href") for a in post.iter("a")}
    assert {"/blog/2021/03/sorting-pebbles-in-python/", "/blog/team/"} <= hrefs


def test_the_title_with_a_script_end_tag_is_escaped(site):
    post = page(site, "/blog/2021/04/石/")
    assert post.find("h1").text() == 'Quotes "and" colons: a </script> title'


def test_a_changed_url_changes_the_map_and_the_rules_as_a_clean_build_does(tmp_path):
    (tmp_path / "site").mkdir()
    _imported, first = import_and_build(tmp_path / "site")
    post = first.content / "posts/sorting-pebbles-in-python.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("slug: sorting-pebbles-in-python", "slug: sorting"),
        encoding="utf-8",
    )
    again = run_build(first.content, first.output, first.cache)
    clean = run_build(first.content, tmp_path / "clean", tmp_path / "clean-cache")
    assert again.ok and clean.ok, again.process.stderr + clean.process.stderr
    assert json.loads(again.read("wordpress-ids.json"))["102"] == "/blog/2021/03/sorting/"
    for name in ("wordpress-ids.json", "_redirects", "nginx-redirects.conf", "index.html"):
        assert again.read(name) == clean.read(name), name
    assert '"/blog/2021/03/sorting/"' in again.read("nginx-redirects.conf")


def test_an_import_into_the_sample_content_folder_builds(tmp_path):
    """A new user's first import lands beside the sample posts of a fresh clone."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    command = [sys.executable, str(ROOT / "manage.py"), "import_wordpress", str(FIXTURES / "blog-1.2.xml")]
    imported = subprocess.run(
        [*command, "--content", str(content)], capture_output=True, text=True, env=build_env(), cwd=ROOT
    )
    assert imported.returncode == 0, imported.stderr
    build = run_build(content, tmp_path / "output", tmp_path / "cache")
    assert build.ok, build.process.stderr
    targets = json.loads(build.read("wordpress-ids.json"))
    assert set(targets) == PUBLISHED

"""The preview serves the files the built site publishes besides its pages
(blog/preview_files.py): the content folder's images, a page bundle's files
beside its post, and the resized copies of images, at the paths the build
writes them to; links written with the site's base path lead to the pages the
preview serves from its root."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.browser.preview_server import start_preview
from tests.conftest import FIXTURES, run_build
from tests.html_tree import parse_html

IMAGES = FIXTURES / "images" / "site"  # base_url with a sub-path, /notes/
BUNDLES = FIXTURES / "bundles" / "zola"
RENDERED = (".html", ".xml", ".json")
_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}),
    _NoRedirect := type(
        "NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *args, **kwargs: None}
    )(),
)


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with _OPENER.open(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def local_files(page_url: str, html: str) -> set[str]:
    """Every file (not a page) the HTML of ``page_url`` shows or links to on
    its own site, as absolute URLs; the preview's own scripts and the static
    files (served as ever) left out."""
    origin = urllib.parse.urlsplit(page_url).netloc
    found = set()
    for element in parse_html(html).iter():
        candidates = [element.get("src"), element.get("href")]
        candidates += [part.split()[0] for part in (element.get("srcset") or "").split(",") if part.strip()]
        for candidate in filter(None, candidates):
            url = urllib.parse.urljoin(page_url, candidate).split("#")[0]
            parts = urllib.parse.urlsplit(url)
            if parts.netloc != origin or parts.path.startswith(("/static/", "/__reload__/")):
                continue
            name = parts.path.rsplit("/", 1)[-1]
            # Feeds and pages are rendered, not copied.
            if "." in name and not name.endswith(RENDERED):
                found.add(url)
    return found


@pytest.mark.parametrize(
    ("fixture", "post_path"),
    [(IMAGES, "/2024/06/screens/"), (BUNDLES, "/2024/11/26/tide-tables/")],
    ids=["images under a sub-path", "a page bundle"],
)
def test_every_image_and_file_a_post_shows_is_served_with_the_built_sites_bytes(fixture, post_path, tmp_path):
    built = run_build(fixture, tmp_path / "output", tmp_path / "build-cache")
    assert built.ok, built.process.stderr
    server = start_preview(fixture, tmp_path / "preview-cache")
    try:
        status, _headers, body = fetch(server.origin + post_path)
        assert status == 200
        files = local_files(server.origin + post_path, body.decode())
        assert any(url.endswith((".png", ".webp")) for url in files), files
        for url in files:
            status, headers, data = fetch(url)
            assert status == 200, url
            # The same bytes as the file the build publishes there (the
            # built site has the base path in its own links, not in its files).
            relative = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/").removeprefix("notes/")
            assert data == (tmp_path / "output" / relative).read_bytes(), url
            assert headers["Content-Type"].split(";")[0] != "text/html", url
    finally:
        server.stop()


def test_a_link_written_with_the_base_path_leads_to_the_page(tmp_path):
    server = start_preview(IMAGES, tmp_path / "preview-cache")
    try:
        status, headers, _ = fetch(server.origin + "/notes/2024/06/screens/")
        assert status == 302
        assert headers["Location"] == "/2024/06/screens/"
        assert fetch(server.origin + "/notes/images/nothing-here.png")[0] == 302  # then the preview's 404 page
        assert fetch(server.origin + "/images/nothing-here.png")[0] == 404
    finally:
        server.stop()


def test_a_changed_image_is_served_changed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(IMAGES, content)
    server = start_preview(content, tmp_path / "preview-cache")
    try:
        before = fetch(server.origin + "/images/spinner.gif")
        assert before[0] == 200
        (content / "images" / "spinner.gif").write_bytes((content / "images" / "small.jpg").read_bytes())
        assert fetch(server.origin + "/images/spinner.gif")[2] == (content / "images" / "small.jpg").read_bytes()
    finally:
        server.stop()

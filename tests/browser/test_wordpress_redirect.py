"""Old WordPress links (/?p=N, /?page_id=N) reach the imported post in a real
browser, on a plain static server that knows nothing of redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import serve_folder
from tests.wordpress_exports import import_and_build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def imported_origin(tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("wordpress-browser")
    import_and_build(root)
    server, origin = serve_folder(root)  # the site is in root/blog/, its base path
    yield origin
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("query", "lands_on", "title"),
    [
        ("?p=102", "/blog/2021/03/sorting-pebbles-in-python/", "Sorting pebbles in Python"),
        ("?page_id=113", "/blog/team/", "The team"),
        ("?p=103#top", "/blog/2021/04/%E7%9F%B3/#top", 'Quotes "and" colons: a </script> title'),
    ],
)
def test_an_old_query_link_reaches_the_imported_item(imported_origin, open_tab, query, lands_on, title):
    tab = open_tab()
    tab.page.goto(f"{imported_origin}/blog/{query}")
    tab.page.wait_for_url(f"{imported_origin}{lands_on}", timeout=10_000)
    assert tab.page.locator("h1").inner_text() == title
    assert tab.errors == []


def test_the_home_page_stays_put_without_a_known_id(imported_origin, open_tab):
    tab = open_tab()
    requests: list[str] = []
    tab.page.on("request", lambda request: requests.append(request.url))
    for query in ("", "?p=999", "?p=abc"):
        tab.page.goto(f"{imported_origin}/blog/{query}")
        tab.page.wait_for_load_state("networkidle")
        assert tab.page.url == f"{imported_origin}/blog/{query}"
    # The map is fetched only when the address asks for an ID.
    assert [url for url in requests if url.endswith("wordpress-ids.json")] == [
        f"{imported_origin}/blog/wordpress-ids.json"
    ]
    assert tab.errors == []

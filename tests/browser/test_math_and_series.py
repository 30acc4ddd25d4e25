"""Math and series in Chromium: a formula is laid out as MathML with nothing
fetched, and a reader walks a series through its box."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import StaticSite, serve_folder
from tests.conftest import FIXTURES, run_build

pytestmark = pytest.mark.browser

SUB_PATH = "/notes/"  # the series fixture's base_url path


@pytest.fixture(scope="module")
def series_site(tmp_path_factory) -> Iterator[StaticSite]:
    root = tmp_path_factory.mktemp("series-served")
    output = root / SUB_PATH.strip("/")
    build = run_build(FIXTURES / "series", output, tmp_path_factory.mktemp("cache"))
    assert build.ok, build.process.stderr
    server, origin = serve_folder(root)
    yield StaticSite(origin, output)
    server.shutdown()
    server.server_close()


def test_a_formula_is_laid_out_as_mathml_and_dollars_stay_text(series_site, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(series_site.url(f"{SUB_PATH}2024/03/plain/"))
    formula = page.locator(".post-body math")
    assert formula.count() == 1
    assert formula.evaluate("element => element instanceof MathMLElement")
    box = formula.bounding_box()
    assert box["width"] > 0 and box["height"] > 0
    # The exponent sits above its base: the browser drew math, not a line of text.
    base = page.locator(".post-body msup > mi").first.bounding_box()
    exponent = page.locator(".post-body msup > mrow").first.bounding_box()
    assert exponent["y"] + exponent["height"] < base["y"] + base["height"]
    assert "while $HOME stays text." in page.locator(".post-body").inner_text()
    assert tab.blocked == [] and tab.errors == []


def test_a_reader_walks_the_series_from_its_box(series_site, open_tab):
    page = open_tab().page
    page.goto(series_site.url(f"{SUB_PATH}2024/03/ownership/"))
    box = page.get_by_role("navigation", name="Series: Learning Rust")
    assert box.locator(".series-place").inner_text() == "Part 1 of 3 in the series Learning Rust"
    assert box.locator("[aria-current=page]").inner_text() == "Ownership first"

    box.get_by_role("link", name="Borrowing, part two").click()
    assert urlsplit(page.url).path == f"{SUB_PATH}2024/03/borrowing/"
    box = page.get_by_role("navigation", name="Series: Learning Rust")
    assert box.locator(".series-place").inner_text() == "Part 2 of 3 in the series Learning Rust"

    box.get_by_role("link", name="Learning Rust").click()
    assert urlsplit(page.url).path == f"{SUB_PATH}series/learning-rust/"
    assert page.locator(".series-list a").all_inner_texts() == [
        "Ownership first",
        "Borrowing, part two",
        "Lifetimes at last",
    ]

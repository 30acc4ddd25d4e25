"""A post with a 4000×3000 screenshot, built with the default image settings and
read in Chromium on a phone-sized screen: the browser loads the small WebP
copy, and the page does not move when it arrives."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import PHONE, serve_folder
from tests.conftest import FIXTURES, run_build
from tests.image_files import make_image

pytestmark = pytest.mark.browser

SUB_PATH = "/notes/"
POST = "2024/06/screens/"
IMAGE_DELAY = 0.8  # seconds

# The sum of the layout shifts the page had, from the first paint on.
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 500);
})"""


@pytest.fixture(scope="module")
def screenshot_site(tmp_path_factory) -> Iterator[str]:
    """The images fixture, its screenshot 4000×3000, with the default widths;
    served under its base path. The URL of the post."""
    root = tmp_path_factory.mktemp("images-browser")
    content = root / "content"
    shutil.copytree(FIXTURES / "images" / "site", content)
    (content / "site.toml").write_text('title = "Pictures of Work"\nbase_url = "https://photos.example.org/notes/"\n')
    make_image(content / "images" / "screen.png", 4000, 3000)
    served = root / "served"
    build = run_build(content, served / SUB_PATH.strip("/"), root / "cache")
    assert build.ok, build.process.stderr
    server, origin = serve_folder(served)
    yield origin + SUB_PATH + POST
    server.shutdown()
    server.server_close()


def test_a_phone_loads_the_small_webp_copy_and_nothing_shifts(open_tab, screenshot_site):
    tab = open_tab(viewport=PHONE)
    images_loaded = []
    tab.page.on("requestfinished", lambda request: images_loaded.append(urlsplit(request.url).path))

    def arrive_late(route) -> None:
        # The text is laid out and painted first: an image without its size
        # would push it down when it comes.
        time.sleep(IMAGE_DELAY)
        route.continue_()

    tab.page.route("**/images/screen.*", arrive_late)
    tab.page.goto(screenshot_site, wait_until="load")
    screen = tab.page.locator("figure img").first
    state = screen.evaluate(
        "img => ({complete: img.complete, current: img.currentSrc,"
        " shown: img.getBoundingClientRect().width, tall: img.getBoundingClientRect().height})"
    )
    assert state["complete"], state
    assert urlsplit(state["current"]).path.startswith(f"{SUB_PATH}images/screen.480w."), state
    assert state["current"].endswith(".webp"), state
    # Only that copy of the screenshot came over the network: not the 4000-pixel original.
    screenshots = [path for path in images_loaded if "/images/screen." in path]
    assert screenshots == [urlsplit(state["current"]).path], images_loaded
    # Its width and height kept its place: 3:4 of the column's width, before and after.
    assert state["tall"] == pytest.approx(state["shown"] * 3000 / 4000, abs=1), state
    assert tab.page.evaluate(LAYOUT_SHIFT) == 0
    assert not tab.errors, tab.errors

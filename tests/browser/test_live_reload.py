"""The preview reloads the open page by itself when the content changes."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.fixture_site import FIXTURE
from tests.browser.preview_server import start_preview

pytestmark = pytest.mark.browser

RELOAD_TIMEOUT = 15_000  # milliseconds, for a busy machine
# The file watcher starts in its own thread as the server starts serving; a
# change made before it watches would go unnoticed.
WATCHER_START = 1.0  # seconds


def reload_after(page: Page, change: Callable[[], object]) -> float:
    """Make ``change`` and wait until the page has reloaded; the seconds it took."""
    page.evaluate("window.notReloadedYet = true")
    started = time.monotonic()
    change()
    page.wait_for_function("window.notReloadedYet === undefined", timeout=RELOAD_TIMEOUT)
    page.wait_for_load_state()
    return time.monotonic() - started


def local_content(tmp_path: Path) -> Path:
    """A copy of the browser fixture that asks for no other host (no Disqus,
    no Google): a tab that records its requests cannot block them."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    site = content / "site.toml"
    site.write_text(re.sub(r"(?m)^(disqus_shortname|google_cse_id) = .*$", "", site.read_text()))
    return content


def test_saving_a_post_or_site_toml_reloads_the_open_page(open_tab, tmp_path):
    content = local_content(tmp_path)
    site = content / "site.toml"
    server = start_preview(content, tmp_path / "cache", autoreload=True)
    try:
        tab = open_tab(block=False)
        page = tab.page
        page.goto(server.origin + "/archive/")  # every post, newest first
        # The watcher `make serve` runs: the OS tells it of each change (django-watchfiles).
        server.wait_for_output("Watching for file changes with WatchfilesReloader")
        # A change made before the page's event stream connects is not lost:
        # the server keeps the reload until a stream reads it.
        time.sleep(WATCHER_START)

        post = content / "posts" / "2024-06-12-type-hints.md"
        edited = post.read_text().replace("Type hints as documentation", "Type hints, read a month later")
        seconds = [reload_after(page, lambda: post.write_text(edited))]
        assert "Type hints, read a month later" in page.locator(".archive-list a").all_inner_texts()

        new = content / "posts" / "2099-03-01-brand-new.md"
        seconds.append(reload_after(page, lambda: new.write_text('---\ntitle: "Brand new"\n---\nHello.\n')))
        assert page.locator(".archive-list a").first.inner_text() == "Brand new"

        renamed = site.read_text().replace('title = "Field Notes"', 'title = "Field Notes, renamed"')
        seconds.append(reload_after(page, lambda: site.write_text(renamed)))
        assert page.locator(".site-title").inner_text() == "Field Notes, renamed"

        # A broken post: the page reloads into the list of problems, and back once it is fixed.
        seconds.append(reload_after(page, lambda: new.write_text('---\ntitle: "Brand new\n---\nHello.\n')))
        assert page.locator("h1").inner_text() == "1 problem in the content"
        assert "2099-03-01-brand-new.md" in page.locator(".content-problems").inner_text()
        seconds.append(reload_after(page, lambda: new.write_text('---\ntitle: "Brand new, fixed"\n---\nHello.\n')))
        assert page.locator(".archive-list a").first.inner_text() == "Brand new, fixed"

        # The server itself never restarted: only the browser reloaded.
        assert "changed, reloading" not in server.log()
        # The list of problems is served with status 500, which the browser logs.
        assert [error for error in tab.errors if "status of 500" not in error] == []
        assert all(url.startswith(server.origin) for url in tab.requests), tab.requests
        assert max(seconds) < RELOAD_TIMEOUT / 1000
    finally:
        server.stop()


def test_the_code_stylesheet_is_asked_for_again_only_when_its_rules_change(open_tab, tmp_path):
    """The page links code.css with a digest of its rules, and the preview lets
    the browser keep it: a reload after a save does not wait for it, and a new
    Pygments style in site.toml is a new URL, which the reload fetches."""
    content = local_content(tmp_path)
    site = content / "site.toml"
    server = start_preview(content, tmp_path / "cache", autoreload=True)
    try:
        page = open_tab(block=False).page
        page.goto(server.origin + "/2024/04/generators/")
        server.wait_for_output("Watching for file changes with WatchfilesReloader")
        time.sleep(WATCHER_START)

        def keyword_colour() -> str:
            return page.eval_on_selector(".highlight .k", "element => getComputedStyle(element).color")

        def stylesheet_requests() -> list[str]:
            return re.findall(r'"GET (/css/code\.css\S*) HTTP', server.log())

        first_colour = keyword_colour()
        assert [urlsplit(url).query for url in stylesheet_requests()][0].startswith("v=")

        post = content / "posts" / "2024-04-21-generators.md"
        reload_after(page, lambda: post.write_text(post.read_text().replace("has not happened", "has yet to happen")))
        assert "has yet to happen" in page.locator("main").inner_text()
        assert len(stylesheet_requests()) == 1, "the reload asked for the unchanged stylesheet again"

        restyled = site.read_text() + 'pygments_style = "vs"\n'
        reload_after(page, lambda: site.write_text(restyled))
        requests = stylesheet_requests()
        assert len(requests) == 2 and requests[0] != requests[1]
        assert keyword_colour() != first_colour
        link = page.eval_on_selector('link[href*="code.css"]', "element => element.getAttribute('href')")
        assert link == requests[1]
    finally:
        server.stop()

"""The preview reloads the open page by itself when the content changes."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from tests.browser.fixture_site import FIXTURE
from tests.browser.preview_server import start_preview

pytestmark = pytest.mark.browser

RELOAD_TIMEOUT = 15_000  # milliseconds, for a busy machine
# The file watcher starts in its own thread as the server starts serving; a
# change made before it watches would go unnoticed.
WATCHER_START = 1.0  # seconds


def test_saving_a_post_or_site_toml_reloads_the_open_page(open_tab, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    site = content / "site.toml"
    # No Disqus or Google here: this tab cannot block other hosts, so the page must not ask for any.
    site.write_text(re.sub(r"(?m)^(disqus_shortname|google_cse_id) = .*$", "", site.read_text()))
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

        def reload_after(change) -> float:
            page.evaluate("window.notReloadedYet = true")
            started = time.monotonic()
            change()
            page.wait_for_function("window.notReloadedYet === undefined", timeout=RELOAD_TIMEOUT)
            page.wait_for_load_state()
            return time.monotonic() - started

        post = content / "posts" / "2024-06-12-type-hints.md"
        edited = post.read_text().replace("Type hints as documentation", "Type hints, read a month later")
        seconds = [reload_after(lambda: post.write_text(edited))]
        assert "Type hints, read a month later" in page.locator(".archive-list a").all_inner_texts()

        new = content / "posts" / "2099-03-01-brand-new.md"
        seconds.append(reload_after(lambda: new.write_text('---\ntitle: "Brand new"\n---\nHello.\n')))
        assert page.locator(".archive-list a").first.inner_text() == "Brand new"

        renamed = site.read_text().replace('title = "Field Notes"', 'title = "Field Notes, renamed"')
        seconds.append(reload_after(lambda: site.write_text(renamed)))
        assert page.locator(".site-title").inner_text() == "Field Notes, renamed"

        # A broken post: the page reloads into the list of problems, and back once it is fixed.
        seconds.append(reload_after(lambda: new.write_text('---\ntitle: "Brand new\n---\nHello.\n')))
        assert page.locator("h1").inner_text() == "1 problem in the content"
        assert "2099-03-01-brand-new.md" in page.locator(".content-problems").inner_text()
        seconds.append(reload_after(lambda: new.write_text('---\ntitle: "Brand new, fixed"\n---\nHello.\n')))
        assert page.locator(".archive-list a").first.inner_text() == "Brand new, fixed"

        # The server itself never restarted: only the browser reloaded.
        assert "changed, reloading" not in server.log()
        # The list of problems is served with status 500, which the browser logs.
        assert [error for error in tab.errors if "status of 500" not in error] == []
        assert all(url.startswith(server.origin) for url in tab.requests), tab.requests
        assert max(seconds) < RELOAD_TIMEOUT / 1000
    finally:
        server.stop()

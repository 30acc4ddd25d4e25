"""Real Chromium (Debian's, never a downloaded one) against the built fixture site,
served by a real HTTP server on 127.0.0.1. Every request to another host is
blocked and recorded."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, sync_playwright

from tests.browser.fixture_site import FIXTURE, SUB_PATH
from tests.conftest import ROOT, run_build

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / ".artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's chromium package. "
            "`make test` installs it (scripts/ensure-system-packages.sh), or run `apt-get install chromium`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@dataclass
class StaticSite:
    """The built fixture, served at ``origin`` + SUB_PATH."""

    origin: str
    output: Path

    def url(self, path: str = SUB_PATH) -> str:
        return self.origin + path


def serve_folder(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def static_site(tmp_path_factory) -> Iterator[StaticSite]:
    """Build the fixture site once and serve it under /blog/, as its base_url says."""
    root = tmp_path_factory.mktemp("served")
    output = root / SUB_PATH.strip("/")
    build = run_build(FIXTURE, output, tmp_path_factory.mktemp("cache"))
    assert build.ok, build.process.stderr
    server, origin = serve_folder(root)
    yield StaticSite(origin, output)
    server.shutdown()
    server.server_close()


@dataclass
class Tab:
    """A page in its own browser context, with what it tried to load elsewhere
    and the JavaScript errors it met."""

    context: BrowserContext
    page: Page
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def blocked_matching(self, text: str) -> list[str]:
        return [url for url in self.blocked if text in url]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture
def open_tab(browser) -> Iterator:
    """``open_tab(viewport=..., color_scheme=...)`` -> Tab; closed after the test."""
    contexts = []

    def open_(
        viewport: dict = DESKTOP, color_scheme: str = "light", is_mobile: bool = False, block: bool = True
    ) -> Tab:
        """``block=False`` leaves requests alone (and records them): Playwright's
        routing stalls the scripts of shared workers, which the live reload uses."""
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme, is_mobile=is_mobile)
        contexts.append(context)
        tab = Tab(context, context.new_page())

        def route(route: Route) -> None:
            if _is_local(route.request.url):
                route.continue_()
            else:
                tab.blocked.append(route.request.url)
                route.abort("blockedbyclient")

        def console(message: ConsoleMessage) -> None:
            source = (message.location or {}).get("url", "")
            # A blocked third-party script logs a failed load; that is the test's doing.
            blocked = "ERR_BLOCKED_BY_CLIENT" in message.text or (source and not _is_local(source))
            # Browsers ask for /favicon.ico unprompted; the site does not have to have one.
            favicon = urlsplit(source).path == "/favicon.ico"
            if message.type == "error" and not blocked and not favicon:
                tab.errors.append(f"console: {message.text} ({source})")

        if block:
            context.route("**/*", route)
        else:
            context.on("request", lambda request: tab.requests.append(request.url))
        tab.page.on("console", console)
        tab.page.on("pageerror", lambda error: tab.errors.append(f"pageerror: {error}"))
        return tab

    yield open_
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

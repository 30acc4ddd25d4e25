"""Time the live preview: from saving a post to its new text on screen in Chromium.

    python -m bench.preview --posts 2000 [--runs 5] [--baseline COMMIT] [--no-peers]

Writes the corpus of bench/run.py, starts ``manage.py runserver`` on it (from
a copy of the code, through bench/preview_probe.py, which prints when the
server saw the change and what each request cost), and opens the middle
post in Debian's Chromium. Each run writes a new sentence at the top of that
post's body and times, with ``time.monotonic()``, from the moment the file is
closed until the browser shows the sentence (polled on every animation frame).
With ``--baseline``, the code of that commit is measured too, its runs
alternating with the working tree's, each on its own copy of the content.
``hugo server`` is measured the same way when ``make bench-peers`` has
installed Hugo. Progress goes to stderr, the Markdown report to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from . import corpus
from .run import (
    ROOT,
    WORK_ROOT,
    BenchError,
    _code_version,
    _load_average,
    _progress,
    _reset,
    copy_app,
    hugo_binary,
    machine,
    peer_version,
    publish_report,
)

CHROMIUM = Path("/usr/bin/chromium")
# No request may leave the machine. Playwright's routing would stall the
# shared worker that django-browser-reload runs, so the browser's resolver
# refuses every other host instead.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
STARTUP_TIMEOUT = 600  # seconds: the first sync of 10,000 posts on a busy machine
CONNECT_TIMEOUT = 30  # seconds, for the page's reload channel to connect
VISIBLE_TIMEOUT = 20  # seconds, for an edit to show
PAUSE = 1.5  # seconds between runs, so that one run's reload is over before the next edit
# The targets: at 2,000 posts, and from 10,000 posts on.
TARGET, LARGE_TARGET, LARGE_SITE = 0.25, 0.3, 10_000
# Run in every document the page loads, before its own scripts: on each
# animation frame until the page shows a benchmark sentence, it looks for one,
# and notes when it first saw it, in epoch milliseconds like
# performance.timeOrigin. Playwright's own polling starts again after each
# navigation only once it has reached the new document, which costs it a few
# frames; this does not wait for Playwright.
WATCH_FOR_SENTENCE = r"""(() => {
    const seen = (window.benchSentencesSeen = {});
    const look = () => {
        const found = document.body && document.body.innerText.match(/Preview check \d+ [0-9a-f]+\./);
        if (found) seen[found[0]] = performance.timeOrigin + performance.now();
        else requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
})();"""
# Polled by Playwright on every animation frame until the page has seen the sentence.
SHOWN = """sentence => {
    const shown = window.benchSentencesSeen && window.benchSentencesSeen[sentence];
    if (!shown) return false;
    const navigation = performance.getEntriesByType("navigation")[0];
    return {
        shown: shown,
        origin: performance.timeOrigin,
        requestStart: navigation ? navigation.requestStart : null,
        responseEnd: navigation ? navigation.responseEnd : null,
    };
}"""


@dataclass
class Sample:
    seconds: float  # from the file closed until Playwright saw the sentence, time.monotonic
    on_screen: float  # from the file closed to the frame that showed it, by the page's clock
    # Parts of it, from epoch clocks (the server's, the browser's); None when unknown.
    detected: float | None = None  # file closed -> the server's watcher reported it
    to_navigation: float | None = None  # -> the browser started reloading (its timeOrigin)
    request: float | None = None  # navigation start -> the page's last byte
    server: float | None = None  # the server's time for that request, first byte in to last byte out
    sync: float | None = None  # the server's sync() in that request
    to_shown: float | None = None  # last byte -> the sentence on screen


PARTS = {
    "detected": "save → server's watcher reports it",
    "to_navigation": "→ browser starts the reload",
    "request": "→ page's last byte (reload request)",
    "server": "of which the server's (request started → finished)",
    "sync": "of which its `sync()`",
    "to_shown": "last byte → sentence on screen",
}


@dataclass
class Measurement:
    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def on_screen(self) -> float:
        return statistics.median(s.on_screen for s in self.samples)

    def part(self, name: str) -> float | None:
        values = [getattr(s, name) for s in self.samples if getattr(s, name) is not None]
        return statistics.median(values) if values else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# urllib without any proxy from the environment: the servers are on 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Server:
    """A server process, its output collected line by line into ``lines`` and its log."""

    label: str
    origin: str
    post_file: Path
    post_path: str

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []

    def spawn(self, command: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
        self.log = log
        output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
        self.process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True, **output)
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            for line in self.process.stdout:
                self.lines.append(line)
                out.write(line)
                # The benchmark may end with an error while this thread still
                # runs: the log must hold every line read so far.
                out.flush()

    def wait_until_serving(self, path: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"{self.label} exited with {self.process.returncode}; see {self.log}")
            try:
                with _OPENER.open(self.origin + path, timeout=30) as response:
                    response.read()
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    self.stop_hung()
                    message = f"{self.label} did not answer within {STARTUP_TIMEOUT} s; see {self.log}"
                    raise BenchError(message) from None
                time.sleep(0.2)

    def stop_hung(self) -> None:
        """Make every process of a server that stopped answering print its
        threads' stacks into the log (Python's faulthandler, on SIGABRT)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # The server and, with the autoreloader, its child: the group it leads.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def watch(self, page: Page) -> None:
        """Called before ``page`` first loads the post."""

    def wait_connected(self, page: Page, since: float) -> None:
        """Return once the page's reload channel is connected."""
        raise NotImplementedError

    def parts(self, sample: Sample, written: float, shown: dict) -> None:
        """Fill in what this server can tell of the sample's parts."""
        if shown.get("requestStart") is None:
            return
        origin = shown["origin"] / 1000
        sample.to_navigation = origin - (written if sample.detected is None else written + sample.detected)
        sample.request = shown["responseEnd"] / 1000
        sample.to_shown = (shown["shown"] - shown["origin"] - shown["responseEnd"]) / 1000


class OurPreview(Server):
    """``manage.py runserver`` of a copy of our code, through bench/preview_probe.py."""

    def __init__(self, label: str, app: Path, content: Path, cache: Path, post: corpus.SyntheticPost) -> None:
        super().__init__()
        self.label = label
        self.app, self.content, self.cache = app, content, cache
        self.post_file = content / "posts" / f"{post.file_stem}.md"
        self.post_path = f"/{post.date:%Y}/{post.date:%m}/{post.slug}/"

    def start(self, log: Path) -> None:
        port = free_port()
        self.origin = f"http://127.0.0.1:{port}"
        env = {**os.environ, "BLOG_CACHE_DIR": str(self.cache), "PYTHONUNBUFFERED": "1", "BLOG_DEBUG": "1"}
        # A server that never answers is sent SIGABRT (stop_hung), and prints
        # every thread's stack into its log.
        env["PYTHONFAULTHANDLER"] = "1"
        env.pop("BLOG_CONTENT_DIR", None)
        # The copy's folder comes first on sys.path (python -m puts the
        # working folder there); the repository's, for bench/, after it.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "bench.preview_probe", "runserver", f"127.0.0.1:{port}"]
        self.spawn([*command, "--content", str(self.content)], self.app, env, log)
        self.wait_until_serving(self.post_path)

    def probes(self, event: str, since: float) -> list[tuple[float, str]]:
        found = []
        for line in list(self.lines):
            if line.startswith(f"probe {event} "):
                _, _, at, detail = line.rstrip("\n").split(" ", 3)
                if float(at) >= since:
                    found.append((float(at), detail))
        return found

    def wait_connected(self, page: Page, since: float) -> None:
        # The page's shared worker asks for the event stream; the server
        # answers at once with a first message.
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while not any(detail.endswith("/__reload__/events/") for _, detail in self.probes("request", since)):
            if time.monotonic() > deadline:
                raise BenchError(f"{self.label}: the page's event stream never connected; see {self.log}")
            time.sleep(0.02)

    def parts(self, sample: Sample, written: float, shown: dict) -> None:
        changed = [at for at, path in self.probes("changed", written) if Path(path) == self.post_file]
        if changed:
            sample.detected = changed[0] - written
        # The reload's request for the post, and the end of it: the next response on its thread.
        reloads = [
            (at, detail.split(" ")[0])
            for at, detail in self.probes("request", written)
            if detail.endswith(" " + self.post_path)
        ]
        if reloads:
            started, thread = reloads[0]
            finished = [at for at, detail in self.probes("response", started) if detail == thread]
            if finished:
                sample.server = finished[0] - started
        syncs = self.probes("sync", written)
        if syncs:
            sample.sync = float(syncs[0][1])
        super().parts(sample, written, shown)


class HugoServer(Server):
    """``hugo server`` on the corpus's Hugo site, with its own live reload."""

    def __init__(self, binary: Path, site: Path, post: corpus.SyntheticPost) -> None:
        super().__init__()
        self.label = "Hugo (`hugo server`)"
        self.binary, self.site = binary, site
        self.post_file = site / "content" / "posts" / f"{post.file_stem}.md"
        self.post_path = f"/{post.date:%Y}/{post.date:%m}/{post.slug}/"
        self.connected = threading.Event()

    def start(self, log: Path) -> None:
        port = free_port()
        self.origin = f"http://127.0.0.1:{port}"
        command = [str(self.binary), "server", "--source", str(self.site), "--bind", "127.0.0.1"]
        command += ["--port", str(port), "--baseURL", self.origin + "/", "--appendPort=false"]
        self.spawn(command, self.site, dict(os.environ), log)
        self.wait_until_serving(self.post_path)

    def watch(self, page: Page) -> None:
        # livereload.js's WebSocket: connected once the server's hello arrives.
        page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: self.connected.set()))

    def wait_connected(self, page: Page, since: float) -> None:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while not self.connected.is_set():
            if time.monotonic() > deadline:
                raise BenchError(f"{self.label}: the page's live-reload socket never connected; see {self.log}")
            # Playwright delivers the page's events only while it is called.
            page.wait_for_timeout(20)


def insert_sentence(source: str, sentence: str) -> str:
    """``source`` with ``sentence`` as the first paragraph of the body, after the front matter."""
    match = re.match(r"---\n.*?\n---\n", source, re.DOTALL)
    if match is None:
        raise BenchError("the post has no front matter")
    return f"{source[: match.end()]}\n{sentence}\n\n{source[match.end() :]}"


def measure_once(server: Server, page: Page, original: str, run: int) -> Sample:
    sentence = f"Preview check {run} {secrets.token_hex(6)}."
    text = insert_sentence(original, sentence)
    with server.post_file.open("w", encoding="utf-8") as file:
        file.write(text)
    # The clock starts when the file is closed, as an editor's save ends.
    started, written = time.monotonic(), time.time()
    handle = page.wait_for_function(SHOWN, arg=sentence, polling="raf", timeout=VISIBLE_TIMEOUT * 1000)
    seen = time.monotonic() - started
    shown = handle.json_value()
    sample = Sample(seen, shown["shown"] / 1000 - written)
    server.parts(sample, written, shown)
    return sample


@dataclass
class Report:
    posts: int
    runs: int
    measurements: list[Measurement]
    versions: dict[str, str] = field(default_factory=dict)
    load: dict[str, str] = field(default_factory=dict)


def run_benchmark(posts: int, runs: int, baseline: str | None, peers: bool, work: Path) -> Report:
    _reset(work)
    _progress(f"writing a corpus of {posts} posts under {work}")
    site = corpus.generate(posts, work / "corpus")
    # The middle post by file name, as bench/run.py edits.
    post = sorted(site.posts, key=lambda p: p.file_stem)[len(site.posts) // 2]
    code = _code_version()
    servers: list[Server] = []
    versions = [(f"ours, {code}", None)] + ([(f"ours, {baseline} (baseline)", baseline)] if baseline else [])
    for number, (label, commit) in enumerate(versions):
        app = work / f"app-{number}"
        copy_app(app, commit)
        # Each version previews its own copy of the content, so that one's
        # edits never wake the other.
        content = work / f"content-{number}"
        subprocess.run(["cp", "-r", str(site.ours), str(content)], check=True)
        servers.append(OurPreview(label, app, content, work / f"cache-{number}", post))
    hugo = hugo_binary() if peers else None
    report = Report(posts, runs, [], versions={"code measured": code, "post edited": post.file_stem})
    if hugo:
        described = peer_version([str(hugo), "version"])
        found = re.search(r"v(\d+\.\d+\.\d+)", described)
        report.versions["Hugo"] = found.group(1) if found else described
        servers.append(HugoServer(hugo, site.hugo, post))
    else:
        _progress("Hugo not measured: run `make bench-peers` first")
    report.load["start"] = _load_average()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pages: list[Page] = []
            for number, server in enumerate(servers):
                _progress(f"starting {server.label}")
                started = time.time()
                server.start(work / f"server-{number}.log")
                page = browser.new_context().new_page()
                page.add_init_script(WATCH_FOR_SENTENCE)
                server.watch(page)
                page.goto(server.origin + server.post_path)
                server.wait_connected(page, started)
                pages.append(page)
            originals = [server.post_file.read_text(encoding="utf-8") for server in servers]
            report.measurements = [Measurement(server.label) for server in servers]
            subjects = list(zip(servers, pages, originals, report.measurements, strict=True))
            for run in range(runs):
                # Interleaved, so that a change in the machine's load falls on all alike.
                for server, page, original, measurement in subjects:
                    time.sleep(PAUSE)
                    sample = measure_once(server, page, original, run)
                    measurement.samples.append(sample)
                    _progress(f"{server.label}, run {run + 1}: {_describe(sample)}")
            browser.close()
    finally:
        for server in servers:
            server.stop()
    report.load["end"] = _load_average()
    return report


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _describe(sample: Sample) -> str:
    parts = ", ".join(f"{name} {getattr(sample, name):.3f}" for name in PARTS if getattr(sample, name) is not None)
    return f"on screen {sample.on_screen:.3f} s, seen {sample.seconds:.3f} s ({parts})"


def render_markdown(report: Report) -> str:
    target = LARGE_TARGET if report.posts >= LARGE_SITE else TARGET
    lines = [f"## Preview, save to new text on screen: {report.posts} posts, median of {report.runs} runs", ""]
    lines += [f"- {key}: {value}" for key, value in {**machine(), **report.versions}.items()]
    lines += [f"- load average (1, 5, 15 min) at the {key}: {value}" for key, value in report.load.items()]
    lines += [
        "",
        "Save → new text on screen, by the page's clock; and until Playwright, polling, saw it (time.monotonic):",
        "",
        "| server | on screen, median (s) | runs (s) | seen by Playwright, median (s) | runs (s) | target | result |",
        "| --- | ---: | --- | ---: | --- | --- | --- |",
    ]
    for measurement in report.measurements:
        on_screen = ", ".join(f"{s.on_screen:.3f}" for s in measurement.samples)
        seen = ", ".join(f"{s.seconds:.3f}" for s in measurement.samples)
        ours = measurement.label.startswith("ours")
        verdict = ("pass" if measurement.on_screen <= target else "**FAIL**") if ours else ""
        goal = f"≤ {target:g} s" if ours else ""
        lines.append(
            f"| {measurement.label} | {measurement.on_screen:.3f} | {on_screen} "
            f"| {measurement.seconds:.3f} | {seen} | {goal} | {verdict} |"
        )
    lines += ["", "Where the time goes (medians of each part, so they need not add up to the total):", ""]
    lines.append("| part (s) | " + " | ".join(m.label for m in report.measurements) + " |")
    lines.append("| --- |" + " ---: |" * len(report.measurements))
    for name, label in PARTS.items():
        lines.append(f"| {label} | " + " | ".join(_seconds(m.part(name)) for m in report.measurements) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="posts in the corpus (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="edits timed per server (default 5)")
    parser.add_argument("--baseline", metavar="COMMIT", help="also measure this commit's code, run by run in turn")
    parser.add_argument("--no-peers", action="store_true", help="do not measure `hugo server`")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    parser.add_argument("--workdir", type=Path, help=f"scratch folder, emptied first (default {WORK_ROOT}/preview-N)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder afterwards")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.posts < 1:
        parser.error("--posts and --runs must be at least 1")
    if not CHROMIUM.exists():
        parser.error(f"Chromium is not installed at {CHROMIUM} (Debian's chromium package)")
    work = (args.workdir or WORK_ROOT / f"preview-{args.posts}").resolve()
    try:
        report = run_benchmark(args.posts, args.runs, args.baseline, not args.no_peers, work)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    return publish_report(render_markdown(report), args.markdown, work, args.keep)


if __name__ == "__main__":
    sys.exit(main())

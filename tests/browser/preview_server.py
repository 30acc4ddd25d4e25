"""``manage.py runserver`` in a subprocess on a free port, for the preview tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT

STARTUP_TIMEOUT = 60  # seconds; the machine may be busy
# urllib without any proxy from the environment: the server is on 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Response:
    status: int
    content_type: str
    text: str


@dataclass
class PreviewServer:
    process: subprocess.Popen
    origin: str
    output: list[str] = field(default_factory=list)

    def get(self, path: str, timeout: float = 30) -> Response:
        request = urllib.request.Request(self.origin + path, headers={"Accept": "text/html"})
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                return Response(response.status, response.headers["Content-Type"], response.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers["Content-Type"], error.read().decode())

    def first_event(self, path: str) -> tuple[str, str]:
        """(content type, first line) of the server-sent event stream at ``path``."""
        request = urllib.request.Request(self.origin + path, headers={"Accept": "text/event-stream"})
        with _OPENER.open(request, timeout=10) as response:
            return response.headers["Content-Type"], response.readline().decode().strip()

    def log(self) -> str:
        return "".join(self.output)

    def wait_for_output(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if time.monotonic() > deadline:
                raise AssertionError(f"the server never printed {text!r}; it printed:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            # The server and, with autoreload, its child: the group this test started.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _collect(process: subprocess.Popen, lines: list[str]) -> None:
    for line in process.stdout:
        lines.append(line)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_preview(content: Path, cache: Path, autoreload: bool = False, project: Path = ROOT) -> PreviewServer:
    """Start the preview of ``content`` with ``project``'s code and templates
    (the repository, or a copy of it), and wait until it answers."""
    port = free_port()
    env = {**os.environ, "BLOG_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1", "BLOG_DEBUG": "1"}
    env.pop("BLOG_CONTENT_DIR", None)
    command = [sys.executable, str(project / "manage.py"), "runserver", f"127.0.0.1:{port}", "--content", str(content)]
    if not autoreload:
        command.append("--noreload")
    process = subprocess.Popen(
        command,
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = PreviewServer(process, f"http://127.0.0.1:{port}")
    threading.Thread(target=_collect, args=(process, server.output), daemon=True).start()

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            raise AssertionError(f"runserver exited with {process.returncode}:\n{server.log()}")
        try:
            with _OPENER.open(server.origin + "/robots.txt", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"runserver did not answer within {STARTUP_TIMEOUT} s:\n{server.log()}") from None
            time.sleep(0.2)

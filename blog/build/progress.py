"""What the build tells the person waiting for it.

On a terminal each phase draws a bar on one line; elsewhere (CI logs, pipes)
each phase prints one plain line when it ends. ``--quiet`` prints nothing here.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

# Redraw a bar at most this often, in seconds: drawing is not free.
REDRAW_INTERVAL = 0.1
BAR_WIDTH = 30


class Progress:
    """Silent: the interface every reporter has."""

    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def end_phase(self, detail: str = "") -> None:
        pass


class PlainProgress(Progress):
    """One line per finished phase."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.name = ""
        self.total = 0
        self.started = 0.0

    def phase(self, name: str, total: int) -> None:
        self.name, self.total, self.started = name, total, time.perf_counter()

    def end_phase(self, detail: str = "") -> None:
        seconds = time.perf_counter() - self.started
        self.stream.write(f"{self.name}: {detail or self.total} ({seconds:.2f} s)\n")
        self.stream.flush()


class BarProgress(PlainProgress):
    """A bar per phase, redrawn in place on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.done = 0
        self.drawn_at = 0.0

    def phase(self, name: str, total: int) -> None:
        super().phase(name, total)
        self.done = 0
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.drawn_at < REDRAW_INTERVAL:
            return
        self.drawn_at = now
        filled = BAR_WIDTH * self.done // self.total if self.total else BAR_WIDTH
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.stream.write(f"\r{self.name:<16} {bar} {self.done}/{self.total}")
        self.stream.flush()

    def end_phase(self, detail: str = "") -> None:
        self.stream.write("\r\033[K")
        super().end_phase(detail)


def for_stream(stream: TextIO, quiet: bool) -> Progress:
    if quiet:
        return Progress()
    isatty = getattr(stream, "isatty", None)
    return BarProgress(stream) if isatty and isatty() else PlainProgress(stream)


def default() -> Progress:
    return for_stream(sys.stdout, quiet=True)

"""The one rule for what a reader may see: not a draft and not in the future.

Views, feeds, the sitemap and every distill generator go through
``Post.objects.published()``, which asks this module. The build sets the rule
once (``--drafts``/``--future``); the preview server shows everything.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Visibility:
    drafts: bool = False
    future: bool = False
    # The build's "now"; None means the clock at the time of the query.
    now: dt.datetime | None = None

    def cutoff(self) -> dt.datetime:
        return self.now or timezone.now()

    def scheduled(self, date: dt.datetime) -> bool:
        """Whether a post of ``date`` is not out yet (shown only with --future)."""
        return date > self.cutoff()


_current = Visibility()


def current() -> Visibility:
    return _current


@contextmanager
def visible(rule: Visibility):
    """Apply ``rule`` for the duration of a build or a test."""
    global _current
    previous, _current = _current, rule
    try:
        yield rule
    finally:
        _current = previous


def set_default(rule: Visibility) -> None:
    """Set the rule for the whole process (the preview server uses this)."""
    global _current
    _current = rule

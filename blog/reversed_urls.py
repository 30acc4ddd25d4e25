"""reverse(), once per process for each URL.

A build asks the same URLs tens of thousands of times: every page's header
and footer name the same sections, and list pages, the archive and the
sitemap ask the same posts for their addresses; reverse() costs about 40 µs.
The memo's key holds everything reverse() reads besides the URL patterns,
which do not change while a process runs: the route's name and arguments,
the current app, the URL configuration, the script prefix (the site's base
path) and the language. Kept here, not on each post: a key added to a post's
``__dict__`` makes CPython give that post a dict of its own, five times the
size of the shared one, 65 MB in each worker of a 50,000-post build
(docs/benchmarks.md, issue 17, session 11)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def reversed_url(name: str, args: tuple = (), kwargs: tuple = (), current_app: str | None = None) -> str:
    """``reverse(name, args=args, kwargs=dict(kwargs), current_app=current_app)``,
    remembered. ``kwargs`` as (name, value) pairs. Raises TypeError for an
    argument that cannot be a key (unhashable)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(name, args, kwargs, current_app, urlconf, get_script_prefix(), get_language())


@functools.cache
def _reversed(name, args, kwargs, current_app, urlconf, _prefix, _language) -> str:
    # reverse() reads the prefix and the language itself: they are in the key
    # so that another of either is another entry.
    return reverse(name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)

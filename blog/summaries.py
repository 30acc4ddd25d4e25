"""Post summaries kept between builds.

A list page is mostly the summaries of ten posts, and a new post shifts every
list page after it by one, so a rebuild renders hundreds of list pages whose
summaries it has rendered before. The build gives each visible post a key that
covers what its summary shows and what it is rendered with (the post's listed
fields and tags, the templates, code and site settings: see
``render_keys.PageKeys.summary_key``); the ``post_summary`` template tag then
takes the stored HTML for that key, or renders it and hands it back here to be
stored. Outside a build (the live preview) posts carry no key and nothing is
stored.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.safestring import mark_safe

from .models import SummaryFragment, delete_where_in

# Summaries rendered in this process since the last take_fresh(): key -> HTML.
_fresh: dict[str, str] = {}


def prepare(posts, keys: dict[int, str]) -> None:
    """Give each post its summary key (``keys``: post pk -> key) and the stored
    HTML for it, if any. Runs before the page-rendering workers fork, so they
    inherit both."""
    wanted = set(keys.values())
    # All rows, filtered here: an IN list of every key would outgrow SQLite's
    # limit on parameters for a large site; stored() keeps the table small.
    stored = {key: html for key, html in SummaryFragment.objects.values_list("key", "html") if key in wanted}
    for post in posts:
        key = keys[post.id]
        post.summary_key = key
        if key in stored:
            post.stored_summary = stored[key]


def stored(post) -> str | None:
    """The summary an earlier build rendered for the post as it is now, or None."""
    html = post.__dict__.get("stored_summary")
    # Template output, stored as text: it was escaped when it was rendered.
    return mark_safe(html) if html is not None else None


def record(post, html: str) -> None:
    """Remember a summary just rendered, if the build gave the post a key."""
    key = post.__dict__.get("summary_key")
    if key is not None:
        _fresh[key] = html


def take_fresh() -> dict[str, str]:
    """The summaries rendered since the last call, to send to the main process."""
    fresh = dict(_fresh)
    _fresh.clear()
    return fresh


def store(fresh: dict[str, str], keys_in_use: set[str]) -> None:
    """Store new summaries; drop the ones no post uses any more once they
    outnumber the ones in use, so that not every build pays for the clean-up."""
    if fresh:
        SummaryFragment.objects.bulk_create(
            [SummaryFragment(key=key, html=html) for key, html in fresh.items()], ignore_conflicts=True
        )
    if SummaryFragment.objects.count() > 2 * len(keys_in_use):
        unused = set(SummaryFragment.objects.values_list("key", flat=True)) - keys_in_use
        with transaction.atomic():  # one commit, not one per batch
            delete_where_in(SummaryFragment, "key", unused)

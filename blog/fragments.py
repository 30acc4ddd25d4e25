"""Post fragments kept between builds: summaries and archive entries.

A list page is mostly the summaries of ten posts, and a new post shifts every
list page after it by one, so a rebuild renders hundreds of list pages whose
summaries it has rendered before. The archive is one entry per post: at
10,000 posts, about a second to render, for one new entry. The build gives
each visible post a key per fragment template that covers what the fragment
shows and what it is rendered with (the post's listed fields and tags, that
template, the code and site settings: see ``render_keys.PageKeys.fragment_key``);
the template tags (``post_summary``, ``archive_entry``) then take the stored
HTML for that key, or render it and hand it back here to be stored. Outside a
build (the live preview) posts carry no key and nothing is stored.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.safestring import mark_safe

from .models import SummaryFragment, delete_where_in

# Fragments rendered in this process since the last take_fresh(): key -> HTML.
_fresh: dict[str, str] = {}


def prepare(posts, keys: dict[str, dict[int, str]]) -> None:
    """Give each post its fragment keys (``keys``: template name -> post id ->
    key) and the stored HTML for them, if any. Runs before the page-rendering
    workers fork, so they inherit both."""
    wanted = {key for by_post in keys.values() for key in by_post.values()}
    # All rows, filtered here: an IN list of every key would outgrow SQLite's
    # limit on parameters for a large site; store() keeps the table small.
    stored = {key: html for key, html in SummaryFragment.objects.values_list("key", "html") if key in wanted}
    for post in posts:
        post.fragment_keys = post_keys = {template: by_post[post.id] for template, by_post in keys.items()}
        post.stored_fragments = {template: stored[key] for template, key in post_keys.items() if key in stored}


def stored(post, template: str) -> str | None:
    """The fragment an earlier build rendered from ``template`` for the post as
    it is now, or None."""
    html = post.__dict__.get("stored_fragments", {}).get(template)
    # Template output, stored as text: it was escaped when it was rendered.
    return mark_safe(html) if html is not None else None


def record(post, template: str, html: str) -> None:
    """Remember a fragment just rendered, if the build gave the post a key."""
    key = post.__dict__.get("fragment_keys", {}).get(template)
    if key is not None:
        _fresh[key] = html


def take_fresh() -> dict[str, str]:
    """The fragments rendered since the last call, to send to the main process."""
    fresh = dict(_fresh)
    _fresh.clear()
    return fresh


def store(fresh: dict[str, str], keys_in_use: set[str]) -> None:
    """Store new fragments; drop the ones no post uses any more once they
    outnumber the ones in use, so that not every build pays for the clean-up."""
    if fresh:
        SummaryFragment.objects.bulk_create(
            [SummaryFragment(key=key, html=html) for key, html in fresh.items()], ignore_conflicts=True
        )
    if SummaryFragment.objects.count() > 2 * len(keys_in_use):
        unused = set(SummaryFragment.objects.values_list("key", flat=True)) - keys_in_use
        with transaction.atomic():  # one commit, not one per batch
            delete_where_in(SummaryFragment, "key", unused)

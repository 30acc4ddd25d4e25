"""Post fragments kept between builds: summaries and archive entries.

A list page is mostly the summaries of ten posts, and a new post shifts every
list page after it by one, so a rebuild renders hundreds of list pages whose
summaries it has rendered before. The archive is one entry per post: at
10,000 posts, about a second to render, for one new entry.

So ``{% post_summary post %}`` and ``{% archive_entry post %}`` render their
template for a post once, with only ``post`` and ``site`` in the context, and
the build keeps the HTML with the facts it read while it rendered
(blog/reads/recorder.py). A later build reuses it while those facts hold, exactly as it
reuses pages; the page that shows a fragment depends on the fragment's facts
too. Outside a build (the live preview) nothing is recorded or stored.
"""

from __future__ import annotations

import sqlite3

from django.db import connection, transaction
from django.template import Context
from django.template.context import RenderContext
from django.utils.safestring import mark_safe

from ..middleware import rendering_environment
from ..models import SummaryFragment
from ..reads import Recorder


def key(template_name: str, source: str) -> str:
    return f"{template_name}\n{source}"


# Stored fragments read by key at a time (render_each): below SQLite's oldest limit on parameters.
READ_BATCH = 900


def _stored(database: sqlite3.Connection, stored_key: str) -> tuple[str, bytes] | None:
    """The stored fragment ``stored_key`` and its fact ids (packed). Asked
    when a page needs the fragment, not of every fragment at the start: an
    edit's build renders a page or two, and checking the 20,000 fragments of
    a 10,000-post site first took 35 ms."""
    table = SummaryFragment._meta.db_table
    return database.execute(f"SELECT html, reads FROM {table} WHERE key = ?", (stored_key,)).fetchone()


def _stored_of(database: sqlite3.Connection, stored_keys: list[str]) -> dict[str, tuple[str, bytes]]:
    """The stored fragments of ``stored_keys`` there are, by key: _stored, a query per batch of keys."""
    table = SummaryFragment._meta.db_table
    found = {}
    for start in range(0, len(stored_keys), READ_BATCH):
        batch = stored_keys[start : start + READ_BATCH]
        marks = ", ".join("?" * len(batch))
        rows = database.execute(f"SELECT key, html, reads FROM {table} WHERE key IN ({marks})", batch)
        found.update((stored_key, (html, packed)) for stored_key, html, packed in rows)
    return found


def _database(page_state: RenderContext) -> sqlite3.Connection:
    """SQLite's own connection, found once per page and kept in ``page_state``
    (the template's ``render_context``). Django's cursor, and the recorder's
    hook on every query it runs (this read is not a fact; its facts are the
    fragment's), cost three times the query; and finding the connection
    through Django's proxy for each fragment cost as much as the query: the
    archive's 50,000 reads at 50,000 posts took 0.45 s, 0.22 s without it."""
    database = page_state.get(_DATABASE)
    if database is None:
        connection.ensure_connection()
        database = page_state[_DATABASE] = connection.connection
    return database


# Where _database keeps the connection in a page's render context.
_DATABASE = "blog.build.fragments database"


def render_each(recorder: Recorder, context: Context, template_name: str, posts, kept: bool) -> str:
    """render() for each of ``posts``, one after another. Their stored
    fragments are read together, in a query per READ_BATCH: the archive
    shows every post, and its reads, one query each, were 0.2 s of a title's
    edit at 50,000 posts. When every one is stored (and none was rendered in
    this process), the facts of them all are checked at once: they all hold
    exactly when each one's do, and a check per post, with the page's log
    told of each one's facts, was another 0.3 s there."""
    if not recorder.trusted:
        return "".join([render(recorder, context, template_name, post, kept) for post in posts])
    names = [(template_name, post.__dict__["source"]) for post in posts]
    keys = [key(*name) for name in names]
    stored = _stored_of(_database(context.render_context), keys)
    if len(stored) == len(names) and not any(name in recorder.fragments for name in names):
        packed = b"".join([ids for _html, ids in stored.values()])
        if recorder.trusted.hold(packed, recorder.page):
            recorder.merge_ids(packed)
            if kept:
                for name, stored_key in zip(names, keys, strict=True):
                    html, ids = stored[stored_key]
                    # Template output, escaped when it was rendered.
                    recorder.fragments[name] = (mark_safe(html), ids)
            # The caller marks the whole as safe: no string of its own for each
            # one (at 50,000 archive entries, 0.05 s).
            return "".join([stored[stored_key][0] for stored_key in keys])
    return "".join([render(recorder, context, template_name, post, kept, stored) for post in posts])


def render(
    recorder: Recorder,
    context: Context,
    template_name: str,
    post,
    kept: bool,
    stored_fragments: dict[str, tuple[str, bytes]] | None = None,
) -> str:
    """``template_name`` for ``post``, on the page whose template ``context``
    is: rendered in this process already, stored by an earlier build, or
    rendered now; its facts go to the page's log.
    ``kept``: whether other pages show it too, so that this process keeps it
    for them (a summary, on the home page and its tags' pages), or not (an
    archive entry, shown once: at 50,000 posts, 50 MB kept for no page).
    ``stored_fragments``: the stored fragments by key, read already (render_each);
    otherwise this one is read if it is needed."""
    name = (template_name, post.__dict__["source"])
    remembered = recorder.fragments.get(name)
    if remembered is not None:
        html, packed = remembered
        recorder.merge_ids(packed)
        return html
    # With no stored fact trusted (a first build, or new code) nothing is asked.
    stored = None
    if recorder.trusted:
        if stored_fragments is None:
            stored = _stored(_database(context.render_context), key(*name))
        else:
            stored = stored_fragments.get(key(*name))
        if stored is not None and not recorder.trusted.hold(stored[1], recorder.page):
            stored = None
    if stored is None:
        with recorder.log() as log:
            # What the page's request set up, which the fragment renders in.
            rendering_environment()
            # Found inside the log: the fragment depends on its template.
            template = context.template.engine.get_template(template_name)
            shown = Context({"post": post, "site": context["site"]}, autoescape=context.autoescape)
            html = template.render(shown)
        recorder.remember_fragment(name, html, log, kept)
        return html
    html, packed = mark_safe(stored[0]), stored[1]  # template output, escaped when it was rendered
    if kept:
        recorder.fragments[name] = (html, packed)
    recorder.merge_ids(packed)
    return html


def store(fresh: list[tuple[str, str, str, bytes]]) -> None:
    """Store fragments rendered by this build: (template, source, HTML, fact
    ids). A fragment is right for its facts whatever becomes of the build,
    so the build stores them as they come."""
    # Each worker process renders a fragment it needs once: two may have.
    rows = {key(t, s): (key(t, s), s, html, ids) for t, s, html, ids in fresh}
    with transaction.atomic(), connection.cursor() as cursor:
        table = SummaryFragment._meta.db_table
        cursor.executemany(
            f"INSERT OR REPLACE INTO {table} (key, source, html, reads) VALUES (%s, %s, %s, %s)", rows.values()
        )

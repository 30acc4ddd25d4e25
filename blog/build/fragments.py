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

from django.db import connection, transaction
from django.template import Context
from django.utils.safestring import mark_safe

from ..content.rows import plain_rows
from ..middleware import rendering_environment
from ..models import SummaryFragment, delete_where_in
from ..reads import ReadLog, Recorder, unpack_ids


def key(template_name: str, source: str) -> str:
    return f"{template_name}\n{source}"


def stored_fragments(holding: set[int]) -> set[str]:
    """The keys of the stored fragments whose facts all hold (``holding``:
    the ids of the facts that hold). Their HTML is read when it is used."""
    rows = plain_rows(SummaryFragment.objects.values_list("key", "reads"))
    return {key for key, ids in rows if holding.issuperset(unpack_ids(ids))}


def render(recorder: Recorder, engine, template_name: str, post, site, autoescape: bool) -> str:
    """``template`` for ``post``: rendered in this process already, stored by
    an earlier build, or rendered now; its facts go to the page's log."""
    name = (template_name, post.__dict__["source"])
    remembered = recorder.fragments.get(name)
    if remembered is not None:
        html, log = remembered
        recorder.merge(log)
        return html
    stored = key(*name)
    if stored in recorder.stored_fragments:
        with recorder.paused(), connection.cursor() as cursor:  # its facts are recorded below
            # Plain SQL: the ORM's query building cost more than the query,
            # once for every summary a list page shows.
            cursor.execute(f"SELECT html, reads FROM {SummaryFragment._meta.db_table} WHERE key = %s", [stored])
            html, ids = cursor.fetchone()
        html = mark_safe(html)  # template output, escaped when it was rendered
        log = ReadLog(fact_ids=set(unpack_ids(ids)))
    else:
        with recorder.log() as log:
            # What the page's request set up, which the fragment renders in.
            rendering_environment()
            # Found inside the log: the fragment depends on its template.
            template = engine.get_template(template_name)
            html = template.render(Context({"post": post, "site": site}, autoescape=autoescape))
        recorder.remember_fragment(name, html, log)
        return html
    recorder.fragments[name] = (html, log)
    recorder.merge(log)
    return html


def store(fresh: list[tuple[str, str, str, bytes]]) -> None:
    """Store fragments rendered by this build: (template, source, HTML, fact
    ids). A fragment is right for its facts whatever becomes of the build,
    so the build stores them as they come."""
    # Each worker process renders a fragment it needs once: two may have.
    rows = {key(t, s): (key(t, s), html, ids) for t, s, html, ids in fresh}
    with transaction.atomic(), connection.cursor() as cursor:
        table = SummaryFragment._meta.db_table
        cursor.executemany(f"INSERT OR REPLACE INTO {table} (key, html, reads) VALUES (%s, %s, %s)", rows.values())


def forget_stale(valid: set[str], fresh: set[str]) -> None:
    """Drop the stored fragments whose facts no longer hold: all but the
    ``valid`` ones and those rendered by this build (``fresh``)."""
    stale = set(SummaryFragment.objects.values_list("key", flat=True)) - valid - fresh
    with transaction.atomic():
        delete_where_in(SummaryFragment, "key", stale)

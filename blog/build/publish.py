"""The publish stage: the staging folder replaces the output folder, and the
cache records the new tree (each file's key, each page's facts and links),
for the next build to start from. The record is read back here too."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import connection, transaction

from ..content.rows import json_value, plain_rows
from ..models import QUERY_BATCH, CacheEntry, OutputFile, delete_where_in
from . import output
from .links import PageLinks
from .state import BuildState, LinkCheck, Plan

# Which output folder the cache describes, and the id of the tree written there.
OUTPUT_ENTRY = "output"
# The last build's broken links, reported again when nothing is rebuilt.
LINK_PROBLEMS = "link_problems"
# Each page's broken links, and the build they are of.
LINK_FINDINGS = "link_findings"
# The inputs of the tree in the output folder.
INPUTS_ENTRY = "inputs"
# The search index in the output folder (blog/build/search.py).
SEARCH_ENTRY = "search_index"
# The output's records are written in batches of this many.
RECORD_BATCH = 2000


def publish(state: BuildState) -> None:
    """Swap the staging folder into place."""
    state.progress.phase("publish", 1)
    output.publish(state.staging, state.output)
    state.progress.end_phase(f"{state.written} files changed")


def record_site(state: BuildState, links: LinkCheck) -> None:
    """Record the published tree and the facts its pages read, in one
    transaction: the pages' rows and the facts they name are kept together."""
    with transaction.atomic():
        _remember(state, state.rekeyed | state.rendered.keys(), links)
        if state.to_render:
            state.facts.save(state.current_facts)


def refresh_spare(state: BuildState) -> None:
    """The replaced site, now the spare, differs from the new one only in the
    files written anew, added or gone; without a previous site the cache
    describes, it is made again from every file."""
    plan, stored = state.plan, state.stored
    changed = (state.writer.fresh | (plan.keys.keys() - stored.keys())) if state.previous else None
    output.refresh_spare(state.output, changed, stored.keys() - plan.keys.keys())


def trusted_previous(output_folder: Path) -> Path | None:
    """The previous output, if it is the tree the cache describes."""
    entry = CacheEntry.read(OUTPUT_ENTRY)
    if not entry or entry.get("path") != str(output_folder):
        return None
    if output.read_marker(output_folder) != entry.get("build_id"):
        return None
    return output_folder


def previous_tree_id() -> int | None:
    """The id of the previous output's tree as a number, if blog/build/tree_id.py made it."""
    entry = CacheEntry.read(OUTPUT_ENTRY)
    return int(entry["build_id"], 16) if entry and entry.get("summed") else None


def stored_records() -> list[tuple[str, str, bytes | None]]:
    """Each file of the previous output: (path, key, and for a page, its facts)."""
    return plain_rows(OutputFile.objects.values_list("path", "key", "reads"))


def stored_links(paths) -> dict[str, PageLinks]:
    if not paths:
        return {}
    rows = OutputFile.objects.order_by().values_list("path", "links", "ids")
    if len(paths) <= QUERY_BATCH:
        rows = rows.filter(path__in=list(paths))
    # Otherwise all rows, filtered here: SQLite limits the parameters of a
    # query. Plain rows, so that only the rows asked for are parsed: an added
    # post's build asks for a few hundred of 13,000 (0.11 s -> 0.03 s at
    # 10,000 posts; docs/benchmarks.md, issue 17, session 12).
    return {
        path: PageLinks(json_value(links), json_value(ids)) for path, links, ids in plain_rows(rows) if path in paths
    }


def _any_volatile(plan: Plan) -> bool:
    """Whether a page read what cannot be recorded: its reads are None. Only
    pages have reads, and every page kept or rendered has them."""
    return None in plan.reads.values()


def _remember(state: BuildState, changed: set[str], links: LinkCheck) -> None:
    """Record the tree now in the output folder, for the next build to start from.
    Only rows whose file is new, gone, or made again (``changed``) are written;
    a page rendered again always is, for its facts."""
    plan, stored, rendered = state.plan, state.stored, state.rendered
    with transaction.atomic():
        if stored and len(changed) < len(stored) // 2:
            delete_where_in(OutputFile, "path", (stored.keys() - plan.keys.keys()) | changed)
            found = {path: rendered.get(path, PageLinks()) for path in changed}
        else:
            # Most rows change (a cold build, a template edit): all of them are
            # written again, after one DELETE rather than one per batch; the
            # few pages not rendered again keep the links stored for them.
            found = stored_links(plan.keys.keys() - rendered.keys()) | rendered
            found = {path: found.get(path, PageLinks()) for path in plan.keys}
            OutputFile.objects.all().delete()
        # Plain SQL: a cold build records every file, and bulk_create's
        # per-object work took 0.5 s of it at 10,000 posts. In batches: the
        # links as JSON of every page of a 50,000-post site at once would
        # raise the build's peak memory by 36 MB.
        insert = f"INSERT INTO {OutputFile._meta.db_table} (path, key, reads, links, ids) VALUES (%s, %s, %s, %s, %s)"
        found_items = list(found.items())
        with connection.cursor() as cursor:
            for start in range(0, len(found_items), RECORD_BATCH):
                batch = found_items[start : start + RECORD_BATCH]
                cursor.executemany(
                    insert,
                    [
                        (path, plan.keys[path], plan.reads.get(path), json.dumps(page.links), json.dumps(page.ids))
                        for path, page in batch
                    ],
                )
        entries = {
            # A page that read what cannot be recorded (a file, the clock)
            # may change with nothing else changing: then no build may be skipped.
            INPUTS_ENTRY: "" if _any_volatile(plan) else state.inputs,
            LINK_PROBLEMS: [p.as_list() for p in links.problems],
            LINK_FINDINGS: {
                "build": state.build_id,
                "broken": {page: [list(entry) for entry in entries] for page, entries in links.broken.items()},
            },
            # "summed": the id is the sum tree_id makes, which the next build starts from.
            OUTPUT_ENTRY: {"path": str(state.output), "build_id": state.build_id, "summed": True},
        }
        for key, value in entries.items():
            CacheEntry.write(key, value)
        if state.search_record is None:
            CacheEntry.objects.filter(key=SEARCH_ENTRY).delete()
        else:
            CacheEntry.write(SEARCH_ENTRY, state.search_record)

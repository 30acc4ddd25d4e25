"""The write stage: the staging folder the new site is made in, and the files
that are copied into it rather than rendered (static files, the content
folder's other files); then the files the new site does not have are removed;
last, after the search index, the marker is written."""

from __future__ import annotations

from . import output
from .publish import previous_tree_id
from .state import BuildState
from .tree_id import tree_id
from .writer import SiteWriter


def open_staging(state: BuildState) -> None:
    """The folder to build in, with its writer: the spare when it is a copy
    of the previous output the cache describes, so that only the files that
    change are touched; otherwise an empty folder, into which every unchanged
    file is linked from the previous output."""
    previous = state.previous
    if previous is None or not output.is_copy_of(previous):
        state.staging = output.new_staging_folder(state.output, recycle=False)
        state.writer = SiteWriter(state.staging, previous, empty=True)
        return
    state.staging = output.new_staging_folder(state.output, recycle=True)
    state.writer = SiteWriter(state.staging, previous, same=state.stored.keys() | {output.MARKER})


def write_files(state: BuildState) -> None:
    """Copy the static and content files, and remove what the new site does
    not have, so that the staging folder holds the new site, all but its
    search index (blog/build/search.py reads the pages it holds)."""
    plan, writer = state.plan, state.writer
    state.progress.phase("write", len(plan.copies))
    changed = 0
    for relative, source in plan.copies.items():
        changed += writer.copy(source, relative, compare_bytes=relative not in plan.content)
        state.progress.advance()
    # Files of the recycled spare that the new site does not have (the
    # previous search index too: the search stage links back what it keeps).
    for relative in writer.same - plan.keys.keys() - {output.MARKER}:
        writer.discard(relative)
    state.written += changed
    state.progress.end_phase(f"{changed} of {len(plan.copies)} files changed")


def write_marker(state: BuildState) -> None:
    """Last, once every file of the new site is in the plan: the marker names
    the tree by every file's key, from the previous tree's id when the
    previous output is the tree the cache describes (blog/build/tree_id.py)."""
    previous_id = previous_tree_id() if state.previous else None
    if previous_id is None:
        state.build_id = tree_id(state.plan.keys, {}, 0)
    else:
        state.build_id = tree_id(state.plan.keys, state.stored, previous_id)
    state.writer.write(output.MARKER, output.marker(state.build_id))

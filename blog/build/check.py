"""The check stage: the new site's broken links, found in every page, or
brought up to date from the last build's answer (blog/build/links.py finds
and checks the links themselves)."""

from __future__ import annotations

from ..content.rows import json_value, plain_rows
from ..models import CacheEntry, OutputFile
from ..search_bundle import is_bundle_file
from ..site_index import site_index
from . import output
from .links import Broken, LinkChecker, describe, find_broken_links, first_reports
from .plan import page_sources
from .publish import LINK_FINDINGS, stored_links
from .state import BuildState, LinkCheck


def check_links(state: BuildState) -> LinkCheck:
    """Broken links in the new site, found in every page, or, when the last
    build's answer can be brought up to date, in the pages rendered again and
    the links that were broken before."""
    plan, rendered = state.plan, state.rendered
    pages = plan.page_files
    broken = _recheck_links(state, pages)
    if broken is None:
        links = stored_links(pages - rendered.keys()) | rendered
        broken = find_broken_links(state.site, links, set(plan.keys))
    # The pinned index of the build (blog/site_index.py).
    page_source = page_sources(site_index(), (page for page in plan.pages if page.relative in broken))
    findings = first_reports(broken, page_source)
    pages_with_source = {finding.page for finding in findings} & page_source.keys()
    sources = {page: state.content_dir / page_source[page] for page in pages_with_source}
    return LinkCheck(broken, findings, describe(findings, sources))


def _recheck_links(state: BuildState, pages: frozenset[str]) -> dict[str, list[Broken]] | None:
    """The broken links of every page, from the last build's, or None.

    A link on a page that was not rendered again breaks only if the file it
    leads to is gone, or the element id it names is. So while no file is
    gone and no HTML page rendered again lost an id, the unrendered pages' links
    that worked still work; only those that were broken (they may be fixed
    now) and the links of the rendered pages are checked. A rendered page
    whose links are the ones it had is checked as an unrendered one: a post's
    new title renders the archive again, with the same 10,000 links at
    10,000 posts (0.08 s)."""
    plan, stored, rendered = state.plan, state.stored, state.rendered
    record = CacheEntry.read(LINK_FINDINGS)
    if not stored or record is None or record.get("build") != output.read_marker(state.previous):
        return None
    # Pagefind's files come and go with the index, and no page links to one
    # that can go: those with fixed names (pagefind.js, its UI) stay while
    # the site uses Pagefind, and turning it off renders every page again.
    if any(not is_bundle_file(gone) for gone in stored.keys() - plan.keys.keys()):
        return None
    # Only pages' ids can be linked to (#fragments of feeds are not checked).
    pages_rendered = {page: found for page, found in rendered.items() if page.endswith(".html")}
    if len(pages_rendered) == sum(page.endswith(".html") for page in pages):
        return None  # every page is new: checking them all needs nothing stored
    before = stored_links(pages_rendered)
    if any(not before[page].id_set <= found.id_set for page, found in pages_rendered.items() if page in before):
        return None
    # Each page's ids, as stored (JSON) until a link asks for them.
    stored_ids: dict[str, str | frozenset[str]] = {}

    def ids_of(page: str) -> frozenset[str] | None:
        if page in rendered:
            return rendered[page].id_set
        if page not in pages:
            return None
        if not stored_ids:
            # Loaded once, at the first link to an id on another page (list
            # pages link to every post's comments): one query, not one a page,
            # and a page's ids parsed only when a link names one of them.
            stored_ids.update(plain_rows(OutputFile.objects.order_by().values_list("path", "ids")))
        ids = stored_ids.get(page, frozenset())
        if isinstance(ids, str):
            ids = stored_ids[page] = frozenset(json_value(ids))
        return ids

    checker = LinkChecker(state.site, set(plan.keys), ids_of)
    broken: dict[str, list[Broken]] = {}
    links_as_before = {
        page for page, found in pages_rendered.items() if page in before and before[page].links == found.links
    }
    for page, entries in record["broken"].items():
        if page not in rendered or page in links_as_before:
            broken[page] = checker.broken_in(page, [link for link, _target, _reason in entries])
    for page, found in rendered.items():
        if page not in links_as_before:
            broken[page] = checker.broken_in(page, found.links)
    return {page: found for page, found in broken.items() if found}

"""The first pass over an export: what each item becomes and where it will
live (slug, URL, old addresses), and what the bodies need to know of the whole
export (attachments, the old site's addresses). Bodies are not read here."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.urls import get_script_prefix, reverse, set_script_prefix

from ...content.site_checks import RESERVED_NAMES
from ...paths import alias_file
from ...siteconfig import SiteConfig
from .existing import ExistingContent
from .items import (
    IMPORTED_TYPES,
    PAGE,
    Plan,
    Skipped,
    clean_slug,
    item_dates,
    item_tags,
    item_title,
    old_path,
    status_rule,
    wanted_slug,
)
from .links import LinkMap, normal_path
from .reader import Channel, ExportError, Item, read_export
from .report import Report
from .shortcodes import Attachment


@dataclass
class ExportPlan:
    """What the first pass learnt of the whole export."""

    channel: Channel
    plans: dict[str, Plan] = field(default_factory=dict)  # item id -> plan
    attachments: dict[str, Attachment] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)  # item id -> attachment id


def plan_export(path: Path, site: SiteConfig, report: Report, existing: ExistingContent) -> ExportPlan:
    export = ExportPlan(channel=Channel())
    candidates: list[tuple[Item, Plan]] = []
    for item in read_export(path, export.channel, with_bodies=False):
        if item.post_type == "attachment":
            export.attachments[item.post_id] = Attachment(item.attachment_url or item.guid, item.title)
            export.children.setdefault(item.post_parent, []).append(item.post_id)
        kind = IMPORTED_TYPES.get(item.post_type)
        if kind is None:
            report.not_imported[item.post_type or "(no type)"] += 1
            continue
        try:
            plan = _plan(item, kind, site)
        except Skipped as why:
            report.skipped[kind, str(why)] += 1
            continue
        if "_thumbnail_id" in item.meta:
            export.thumbnails[item.post_id] = item.meta["_thumbnail_id"]
        candidates.append((item, plan))
    if not export.channel.wxr_version and not candidates and not export.attachments:
        raise ExportError(f"{path}: not a WordPress export (it has no wp:wxr_version and no items)")
    # Published items choose their slugs first: a draft never takes a live URL.
    # Files and pages already in the content folder keep their names.
    taken: dict[str, set[str]] = {
        "post": set(existing.file_names["post"]),
        PAGE: set(RESERVED_NAMES) | existing.file_names[PAGE] | existing.page_slugs,
    }
    for item, plan in sorted(candidates, key=lambda pair: pair[1].draft):
        plan.slug = _free_slug(plan.wanted_slug, taken[plan.kind])
        with _script_prefix(site.base_path):
            while _output_file(_new_url(plan, site), site) in existing.output_files:
                plan.slug = _free_slug(plan.wanted_slug, taken[plan.kind])
        if plan.slug != plan.wanted_slug or plan.slug != clean_slug(item.post_name):
            if plan.wanted_slug != plan.slug:
                reason = "already taken"
            elif not item.post_name:
                reason = "WordPress had none: made from the title"
            else:
                reason = "not usable in a URL as written"
            report.slug_changes.append(
                f"{plan.kind} {plan.item_id} “{plan.title}”: {item.post_name or '(empty)'!s} -> {plan.slug} ({reason})"
            )
        export.plans[plan.item_id] = plan
    with _script_prefix(site.base_path):
        for plan in export.plans.values():
            plan.url = _new_url(plan, site)
            plan.file = f"{'pages' if plan.kind == PAGE else 'posts'}/{plan.slug}.md"
    _assign_aliases(export, site, report, existing)
    return export


def _plan(item: Item, kind: str, site: SiteConfig) -> Plan:
    draft, reason = status_rule(item)
    date, updated = item_dates(item, site.zone)
    if date is None:
        date = updated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return Plan(
        item_id=item.post_id,
        kind=kind,
        status=item.status,
        title=item_title(item),
        slug="",
        wanted_slug=wanted_slug(item),
        date=date,
        updated=updated if updated and updated > date else None,
        draft=draft,
        draft_reason=reason,
        tags=item_tags(item),
        guid=item.guid,
        old_path=old_path(item.link),
        old_link=item.link.strip(),
    )


def _free_slug(wanted: str, taken: set[str]) -> str:
    slug, number = wanted, 2
    while slug in taken:
        slug, number = f"{wanted}-{number}", number + 1
    taken.add(slug)
    return slug


class _script_prefix:  # noqa: N801 - used as a context manager, like Django's override()
    """reverse() gives URLs under the site's base path, as the build does."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __enter__(self) -> None:
        self.saved = get_script_prefix()
        set_script_prefix(self.prefix)

    def __exit__(self, *exc) -> None:
        set_script_prefix(self.saved)


def _new_url(plan: Plan, site: SiteConfig) -> str:
    if plan.kind == PAGE:
        return reverse("blog:page", args=[plan.slug])
    local = plan.date.astimezone(site.zone)
    return reverse("blog:post", args=[f"{local.year:04d}/{local.month:02d}/{plan.slug}"])


def _site_relative(path: str, site: SiteConfig) -> str:
    """An old path as an alias: relative to the new site's root when the old site lived under the same path."""
    if site.base_path != "/" and path.startswith(site.base_path):
        return "/" + path[len(site.base_path) :]
    return path


def _output_file(url: str, site: SiteConfig) -> str:
    """The output file of a new URL, named as the build's conflict check names it."""
    return alias_file(_site_relative(unquote(url), site))


def _assign_aliases(export: ExportPlan, site: SiteConfig, report: Report, existing: ExistingContent) -> None:
    """Each item's old permalink redirects, unless the site needs that address itself."""
    new_files = {_output_file(p.url, site): p for p in export.plans.values()}
    claimed: dict[str, Plan] = {}
    for plan in export.plans.values():
        if not plan.old_path:
            continue
        alias = _site_relative(plan.old_path, site)
        file = alias_file(alias)
        owner = new_files.get(file)
        if owner is plan:
            continue  # the old URL is the new one
        top = file.split("/", 1)[0]
        if file == "index.html" or top in RESERVED_NAMES:
            why = "collides with " + ("the home page" if file == "index.html" else f"the site's own /{top}/")
        elif file in existing.output_files:
            why = f"collides with {existing.output_files[file]}, already in the content folder"
        elif owner is not None:
            why = f"collides with the new address of {owner.kind} {owner.item_id}"
        elif file in claimed:
            why = f"collides with the old address of {claimed[file].kind} {claimed[file].item_id}"
        elif not _usable_alias(alias):
            why = "not a path the site can serve (it has a ?, a # or a control character)"
        else:
            claimed[file] = plan
            plan.aliases.append(alias)
            continue
        report.dropped_aliases.append(f"{alias} ({plan.kind} {plan.item_id}, {plan.file}): {why}")


def _usable_alias(alias: str) -> bool:
    """Whether our reader accepts ``alias`` (blog/content/reader.py): a plain path from the site root."""
    parts = urlsplit(alias)
    return (
        alias.startswith("/")
        and not alias.startswith("//")
        and not (parts.scheme or parts.netloc or parts.query or parts.fragment)
        and ".." not in alias.split("/")
        and not any(unicodedata.category(c).startswith("C") for c in alias)
    )


def link_map(export: ExportPlan, site: SiteConfig, uploads: Path | None) -> LinkMap:
    hosts = {
        urlsplit(url).netloc.lower().removeprefix("www.")
        for url in (export.channel.link, export.channel.base_site_url, export.channel.base_blog_url)
        if url
    }
    links = LinkMap(old_hosts=hosts - {""}, base_path=site.base_path, uploads_dir=uploads)
    for plan in export.plans.values():
        if plan.draft:
            continue  # a link to a draft would be a broken link
        links.by_id[plan.item_id] = plan.url
        if plan.old_path:
            links.by_path[normal_path(plan.old_path)] = plan.url
    return links

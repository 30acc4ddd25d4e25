"""Run an import: plan every item from a first streaming pass, then convert and
write them one by one in a second pass."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.urls import get_script_prefix, reverse, set_script_prefix

from ...content.sources import read_site
from ...content.sync import RESERVED_NAMES
from ...paths import alias_file
from ...siteconfig import SiteConfig
from .body import excerpt_text, to_markdown
from .comments import DISQUS_FILE, URL_MAP_FILE, DisqusExport, kept_comments, write_url_map
from .items import (
    IMPORTED_TYPES,
    PAGE,
    Plan,
    Skipped,
    clean_slug,
    item_dates,
    item_tags,
    old_path,
    status_rule,
    wanted_slug,
)
from .links import UPLOADS_FOLDER, LinkMap, normal_path
from .reader import Channel, ExportError, Item, read_export
from .report import Report
from .shortcodes import Attachment, ShortcodeContext
from .writer import EDITED, OVERWRITTEN, render_file, write_atomic, write_file

# Larger bodies are refused, not converted: no real post is this long, and a
# hostile export must not hold the importer for minutes.
MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass
class ImportOptions:
    export: Path
    content_dir: Path
    uploads: Path | None = None
    dry_run: bool = False
    force: bool = False


@dataclass
class _Export:
    """What the first pass learnt of the whole export."""

    channel: Channel
    plans: dict[str, Plan] = field(default_factory=dict)  # item id -> plan
    attachments: dict[str, Attachment] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    thumbnails: dict[str, str] = field(default_factory=dict)  # item id -> attachment id


def run_import(options: ImportOptions) -> Report:
    """Import ``options.export`` into ``options.content_dir``; raise ExportError for an unreadable export."""
    site = read_site(options.content_dir)
    report = Report(export=str(options.export), dry_run=options.dry_run)
    export = _first_pass(options.export, site, report)
    links = _link_map(export, site, options.uploads)
    report.disqus_file = options.content_dir.resolve().parent / DISQUS_FILE
    disqus = DisqusExport(report.disqus_file) if not options.dry_run else None
    try:
        _second_pass(options, site, export, links, report, disqus)
    except BaseException:
        # A run that failed half-way keeps the comments file of the last good run.
        if disqus is not None:
            disqus.finish(keep=False)
        raise
    if disqus is not None:
        disqus.finish(keep=True)
    moved = [
        (plan.old_link, site.origin + plan.url)
        for plan in export.plans.values()
        if plan.published and plan.old_link and plan.old_link != site.origin + plan.url
    ]
    if moved:
        report.url_map_file = report.disqus_file.with_name(URL_MAP_FILE)
        report.url_map_entries = len(moved)
        if not options.dry_run:
            write_url_map(report.url_map_file, moved)
    return report


def _first_pass(path: Path, site: SiteConfig, report: Report) -> _Export:
    export = _Export(channel=Channel())
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
    taken: dict[str, set[str]] = {"post": set(), PAGE: set(RESERVED_NAMES)}
    for item, plan in sorted(candidates, key=lambda pair: pair[1].draft):
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
    _assign_aliases(export, site, report)
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
        title=item.title or f"Untitled {item.post_id}",
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
    return reverse("blog:post", args=[local.year, local.month, plan.slug])


def _site_relative(path: str, site: SiteConfig) -> str:
    """An old path as an alias: relative to the new site's root when the old site lived under the same path."""
    if site.base_path != "/" and path.startswith(site.base_path):
        return "/" + path[len(site.base_path) :]
    return path


def _assign_aliases(export: _Export, site: SiteConfig, report: Report) -> None:
    """Each item's old permalink redirects, unless the site needs that address itself."""
    new_files = {alias_file(_site_relative(unquote(p.url), site)): p for p in export.plans.values()}
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


def _link_map(export: _Export, site: SiteConfig, uploads: Path | None) -> LinkMap:
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


def _second_pass(
    options: ImportOptions,
    site: SiteConfig,
    export: _Export,
    links: LinkMap,
    report: Report,
    disqus: DisqusExport | None,
) -> None:
    for item in read_export(options.export, Channel(), with_bodies=True):
        plan = export.plans.get(item.post_id)
        if plan is None or IMPORTED_TYPES.get(item.post_type) != plan.kind:
            continue
        if len(item.content.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            report.skipped[plan.kind, f"body over {MAX_BODY_BYTES // 2**20} MB (item {plan.item_id})"] += 1
            continue
        context = ShortcodeContext(plan.item_id, export.attachments, export.children)
        body = to_markdown(item.content, context, links)
        image = _featured_image(export, plan, links, body)
        meta = _front_matter(plan, item, image)
        text = render_file(meta, body.markdown)
        outcome = write_file(options.content_dir / plan.file, text, options.force, options.dry_run)
        report.files[outcome] += 1
        report.imported[plan.kind, _status_label(plan)] += 1
        if outcome in (EDITED, OVERWRITTEN):
            report.edited.append(f"{plan.file} ({outcome})")
        if plan.draft_reason:
            report.drafts.append(f"{plan.kind} {plan.item_id} “{plan.title}” ({plan.draft_reason}): {plan.file}")
        report.missing += [f"{url} (in {plan.file})" for url in dict.fromkeys(body.missing)]
        report.unknown_shortcodes += [f"{plan.file}:{_line_of(text, f'[{name}')}: [{name}]" for name in body.unknown]
        _copy_uploads(options, links, body.uploads, report)
        comments = kept_comments(item.comments, site.zone, report.comments_dropped)
        if not plan.draft:
            report.comments += len(comments)
            if disqus is not None:
                disqus.thread(plan.title, site.origin + plan.url, plan.disqus_identifier, plan.date, comments)
        elif comments:
            report.comments_dropped["on drafts"] += len(comments)


def _status_label(plan: Plan) -> str:
    if plan.draft:
        return f"draft: {plan.draft_reason or plan.status}"
    return "scheduled" if plan.status == "future" else "published"


def _featured_image(export: _Export, plan: Plan, links: LinkMap, body) -> str:
    attachment = export.attachments.get(export.thumbnails.get(plan.item_id, ""))
    if attachment is None or not attachment.url:
        return ""
    upload = links.upload(attachment.url)
    if upload is not None and links.upload_source(upload[0]) is not None:
        body.uploads.append(upload[0])
        return f"{UPLOADS_FOLDER}/{upload[0]}"
    body.missing.append(attachment.url)
    scheme = urlsplit(attachment.url).scheme
    return attachment.url if scheme in ("http", "https") else ""


def _front_matter(plan: Plan, item: Item, image: str) -> dict:
    meta: dict = {"title": plan.title, "date": plan.date.isoformat()}
    if plan.updated:
        meta["updated"] = plan.updated.isoformat()
    meta["slug"] = plan.slug
    if plan.tags and plan.kind != PAGE:
        meta["tags"] = plan.tags
    summary = excerpt_text(item.excerpt)
    if summary:
        meta["summary"] = summary
    if image:
        meta["image"] = image
    if plan.draft:
        meta["draft"] = True
    if plan.aliases:
        meta["aliases"] = plan.aliases
    meta["disqus_identifier"] = plan.disqus_identifier
    meta["wordpress_id"] = int(plan.item_id) if plan.item_id.isdigit() else plan.item_id
    return meta


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _copy_uploads(options: ImportOptions, links: LinkMap, relatives: list[str], report: Report) -> None:
    for relative in dict.fromkeys(relatives):
        source = links.upload_source(relative)
        target = options.content_dir / UPLOADS_FOLDER / relative
        if source is None:
            continue
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        report.uploads_copied += 1
        if not options.dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, source.read_bytes())
            shutil.copystat(source, target)

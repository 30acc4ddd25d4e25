"""Run an import: plan every item from a first streaming pass, then convert and
write them one by one in a second pass."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ...content.sources import read_site
from ...siteconfig import SiteConfig
from .body import excerpt_text, to_markdown
from .comments import DISQUS_FILE, URL_MAP_FILE, DisqusExport, kept_comments, write_url_map
from .existing import read_existing
from .items import (
    IMPORTED_TYPES,
    PAGE,
    Plan,
)
from .links import UPLOADS_FOLDER, LinkMap
from .planning import ExportPlan, link_map, plan_export
from .reader import Channel, Item, read_export
from .report import Report
from .shortcodes import ShortcodeContext
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


def run_import(options: ImportOptions) -> Report:
    """Import ``options.export`` into ``options.content_dir``; raise ExportError for an unreadable export."""
    site = read_site(options.content_dir)
    report = Report(export=str(options.export), dry_run=options.dry_run)
    export = plan_export(options.export, site, report, read_existing(options.content_dir, site))
    links = link_map(export, site, options.uploads)
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


def _second_pass(
    options: ImportOptions,
    site: SiteConfig,
    export: ExportPlan,
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


def _featured_image(export: ExportPlan, plan: Plan, links: LinkMap, body) -> str:
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

"""What the content folder holds already that the importer did not write: the
file names, URLs and old addresses it takes, so that no imported item is
written over it or collides with it in the build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ...content.reader import PAGE, read_document
from ...content.sources import find_sources
from ...paths import alias_file
from ...siteconfig import SiteConfig
from .writer import written_by_importer


@dataclass
class ExistingContent:
    # Kind (POST or PAGE) -> names of files directly in posts/ or pages/, without ".md".
    file_names: dict[str, set[str]] = field(default_factory=lambda: {"post": set(), PAGE: set()})
    page_slugs: set[str] = field(default_factory=set)
    # Output file (as blog/content/sync.py's conflict check names it) -> the source that writes it.
    output_files: dict[str, str] = field(default_factory=dict)


def read_existing(content_dir: Path, site: SiteConfig) -> ExistingContent:
    existing = ExistingContent()
    if not content_dir.is_dir():
        return existing
    for source in find_sources(content_dir):
        data = (content_dir / source.relative).read_bytes()
        if written_by_importer(data.decode("utf-8", errors="replace")):
            continue  # an earlier import's file: the same item will be planned again
        relative = PurePosixPath(source.relative)
        if len(relative.parts) == 2:
            existing.file_names[source.kind].add(relative.stem)
        document, errors, _warnings = read_document(data, source.relative, source.relative, source.kind, site.zone)
        if document is None or errors:
            continue  # the build reports it; its URL is unknown
        if source.kind == PAGE:
            existing.page_slugs.add(document.slug)
            existing.output_files[f"{document.slug}/index.html"] = source.relative
        elif document.date is not None:
            local = document.date.astimezone(site.zone)
            existing.output_files[f"{local.year:04d}/{local.month:02d}/{document.slug}/index.html"] = source.relative
        for alias in document.aliases:
            existing.output_files[alias_file(alias)] = source.relative
    return existing

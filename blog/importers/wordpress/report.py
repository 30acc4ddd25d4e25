"""What an import did, printed at its end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Report:
    export: str
    dry_run: bool = False
    imported: Counter = field(default_factory=Counter)  # (type, status) -> items
    skipped: Counter = field(default_factory=Counter)  # (type, why) -> items
    not_imported: Counter = field(default_factory=Counter)  # type -> items
    files: Counter = field(default_factory=Counter)  # outcome (writer.py) -> files
    drafts: list[str] = field(default_factory=list)  # private and password-protected
    slug_changes: list[str] = field(default_factory=list)
    unknown_shortcodes: list[str] = field(default_factory=list)  # "file:line: [name]"
    missing: list[str] = field(default_factory=list)
    dropped_aliases: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    uploads_copied: int = 0
    comments: int = 0
    comments_dropped: Counter = field(default_factory=Counter)
    disqus_file: Path | None = None
    url_map_file: Path | None = None
    url_map_entries: int = 0

    def lines(self) -> list[str]:
        out = [f"WordPress import of {self.export}" + (" (dry run: nothing written)" if self.dry_run else "")]
        out.append("Imported:")
        out += [f"  {n} {kind} ({status})" for (kind, status), n in sorted(self.imported.items())] or ["  nothing"]
        if self.skipped:
            out.append("Skipped:")
            out += [f"  {n} {kind}: {why}" for (kind, why), n in sorted(self.skipped.items())]
        if self.not_imported:
            out.append("Not imported (reported only):")
            out += [f"  {n} {kind}" for kind, n in sorted(self.not_imported.items())]
        out += _section("Imported as drafts (check before publishing)", self.drafts)
        out += _section("Slugs changed", self.slug_changes)
        out += _section("Old URLs that cannot be kept", self.dropped_aliases)
        out += _section("Unknown shortcodes, left as written", self.unknown_shortcodes)
        out += _section("Missing attachments (not in --uploads; links left pointing at the old site)", self.missing)
        out += _section("Edited since the last import, left alone (use --force to overwrite)", self.edited)
        verb = "would be" if self.dry_run else "were"
        files = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.files.items())) or "none"
        label = "Files that would be written" if self.dry_run else "Files"
        out.append(f"{label}: {files}; {self.uploads_copied} attachments {verb} copied.")
        if self.comments:
            dropped = ", ".join(f"{n} {why}" for why, n in sorted(self.comments_dropped.items()))
            where = self.disqus_file if not self.dry_run else f"{self.disqus_file} (not written: dry run)"
            out.append(
                f"Comments: {self.comments} approved comments for Disqus's importer in {where}"
                + (f"; left out: {dropped}" if dropped else "")
            )
        else:
            out.append("Comments: no approved comments to export.")
        if self.url_map_file:
            out.append(
                f"Moved URLs for Disqus's URL mapper (threads found by URL, not identifier): "
                f"{self.url_map_entries} in {self.url_map_file}" + (" (not written: dry run)" if self.dry_run else "")
            )
        return out


def _section(title: str, entries: list[str]) -> list[str]:
    if not entries:
        return []
    return [f"{title}:", *(f"  {entry}" for entry in entries)]

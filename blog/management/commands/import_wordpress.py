"""``manage.py import_wordpress EXPORT.xml``: a WordPress export into the content folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.errors import ContentErrors
from blog.importers.wordpress.importer import ImportOptions, run_import
from blog.importers.wordpress.reader import ExportError
from blog.management.options import add_content_argument


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools → Export, WXR) into content/: posts, pages, old URLs as aliases, "
        "Disqus identifiers, and the approved comments as disqus-import.xml. Safe to run again."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="the export file, e.g. example.WordPress.2024-05-01.xml")
        parser.add_argument(
            "--uploads", type=Path, default=None, help="a copy of the old site's wp-content/uploads folder"
        )
        parser.add_argument("--dry-run", action="store_true", help="write nothing; print what would be done")
        parser.add_argument("--force", action="store_true", help="overwrite files edited since the last import")
        add_content_argument(parser)

    def handle(self, *args, **options):
        export: Path = options["export"]
        if not export.is_file():
            raise CommandError(f"{export}: no such file (give the path of the .xml file WordPress exported)")
        uploads = options["uploads"]
        if uploads is not None and not uploads.is_dir():
            raise CommandError(f"--uploads {uploads}: not a folder (give a copy of wp-content/uploads)")
        try:
            report = run_import(
                ImportOptions(
                    export=export,
                    content_dir=options["content"],
                    uploads=uploads,
                    dry_run=options["dry_run"],
                    force=options["force"],
                )
            )
        except ExportError as error:
            raise CommandError(str(error)) from None
        except ContentErrors as errors:
            for problem in errors.problems:
                self.stderr.write(str(problem))
            raise CommandError("fix site.toml first: dates and URLs depend on it.") from None
        self.stdout.write("\n".join(report.lines()))

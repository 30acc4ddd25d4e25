"""``manage.py build``: turn the content folder into a static site."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from blog.build import BuildOptions, build_site, progress
from blog.build.output import OutputRefused
from blog.errors import ContentErrors
from blog.management.options import add_content_argument, add_output_arguments


class Command(BaseCommand):
    help = "Build the static site from the content folder into the output folder."

    def add_arguments(self, parser):
        add_content_argument(parser)
        add_output_arguments(parser)
        parser.add_argument("--drafts", action="store_true", help="include drafts")
        parser.add_argument("--future", action="store_true", help="include posts dated after now")
        parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
        parser.add_argument("--quiet", action="store_true", help="print only errors")

    def run_from_argv(self, argv):
        """From the command line, a finished build ends the process at once.
        Python's orderly shutdown frees every object one by one: with a large
        site's index and page records in memory that takes 0.3-0.5 s, a
        fifth of an incremental build. Everything is written and committed
        by now; a failure still exits the ordinary way, with its message."""
        super().run_from_argv(argv)
        connections.close_all()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    def handle(self, *args, **options):
        build = BuildOptions(
            content_dir=options["content"],
            output_dir=options["output"],
            cache_dir=options["cache_dir"],
            drafts=options["drafts"],
            future=options["future"],
            strict=options["strict"],
        )
        try:
            result = build_site(build, progress.for_stream(self.stdout, quiet=options["quiet"]))
        except ContentErrors as errors:
            for problem in errors.problems:
                self.stderr.write(str(problem))
            count = len(errors.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in the content; the output folder was not changed.",
                returncode=1,
            ) from None
        except OutputRefused as refused:
            raise CommandError(str(refused), returncode=1) from None
        if options["quiet"]:
            return
        for warning in sorted(result.warnings):
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(result.summary())

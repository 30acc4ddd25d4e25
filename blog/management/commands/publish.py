"""``manage.py publish [TARGET]``: send the built site to a target of site.toml."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from blog.build import progress
from blog.content.sources import read_site
from blog.deploy import DEFAULT_MAX_DELETES, PublishError, PublishOptions, choose_target, publish
from blog.deploy.targets import read_publish_targets
from blog.errors import ContentErrors
from blog.management.options import add_content_argument, add_output_arguments


class Command(BaseCommand):
    help = "Publish the output folder to a target named in site.toml ([publish.<name>])."

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", help="the target's name (default: the only one)")
        add_content_argument(parser)
        add_output_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
        parser.add_argument(
            "--max-deletes",
            type=int,
            default=DEFAULT_MAX_DELETES,
            help=f"delete nothing if more remote files than this are gone (default {DEFAULT_MAX_DELETES})",
        )
        parser.add_argument(
            "--force", action="store_true", help="upload every file; on git, replace a branch whose history moved"
        )
        parser.add_argument("--build", action="store_true", help="build the site first")
        parser.add_argument("--quiet", action="store_true", help="print only errors and the end line")

    def handle(self, *args, **options):
        content_dir = options["content"]
        try:
            site = read_site(content_dir)
            target = choose_target(read_publish_targets(content_dir), options["target"])
        except ContentErrors as errors:
            for problem in errors.problems:
                self.stderr.write(str(problem))
            raise CommandError("site.toml has problems: nothing was published.", returncode=1) from None
        except PublishError as error:
            raise CommandError(str(error), returncode=1) from None
        if options["build"]:
            call_command(
                "build",
                content=content_dir,
                output=options["output"],
                cache_dir=options["cache_dir"],
                quiet=options["quiet"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        publish_options = PublishOptions(
            content_dir=content_dir.resolve(),
            output_dir=options["output"].resolve(),
            cache_dir=options["cache_dir"].resolve(),
            dry_run=options["dry_run"],
            force=options["force"],
            max_deletes=options["max_deletes"],
        )
        reporter = progress.for_stream(self.stdout, quiet=options["quiet"])
        try:
            result = publish(site, target, publish_options, reporter, self.stdout)
        except PublishError as error:
            raise CommandError(str(error), returncode=1) from None
        except KeyboardInterrupt:
            raise CommandError(
                "interrupted: no page was uploaded before the files it needs. Run publish again to finish.",
                returncode=130,
            ) from None
        for note in result.notes:
            self.stderr.write(note)
        self.stdout.write(f"{target.name}: {result.summary()}")
        if result.deletes_refused and not result.dry_run:
            raise CommandError("the remote still has files the output does not (see above)", returncode=1)

"""``manage.py new_post "Title"``: start a post in the content folder."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from blog.content.scaffold import NewPost, PostExists, create_post, split_tags
from blog.content.sources import display_path
from blog.errors import ContentErrors
from blog.management.options import add_content_argument


class Command(BaseCommand):
    help = "Create content/posts/YYYY-MM-DD-<slug>.md with its front matter filled in, and print its path."
    # Writes one file; needs neither the checks nor the database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("title", help="the post's title")
        parser.add_argument("--tags", default="", help="comma-separated tags, e.g. --tags python,django")
        parser.add_argument("--draft", action="store_true", help="mark the post as a draft")
        add_content_argument(parser)

    def handle(self, *args, **options):
        title = options["title"].strip()
        if not title:
            raise CommandError('the title is empty: give one, e.g. new_post "My first post"')
        post = NewPost(title=title, tags=split_tags(options["tags"]), draft=options["draft"])
        try:
            path = create_post(options["content"], post)
        except PostExists as exists:
            raise CommandError(
                f"{display_path(exists.path)} already exists; it was not changed. Edit it, or choose another title."
            ) from None
        except ContentErrors as errors:
            for problem in errors.problems:
                self.stderr.write(str(problem))
            raise CommandError("fix site.toml first: the post's date depends on its time zone.") from None
        self.stdout.write(display_path(path))

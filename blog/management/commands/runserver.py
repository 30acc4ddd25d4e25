"""``manage.py runserver``: the live preview of the content folder.

Django's development server (with static files), made a preview by
``blog.preview``: the content is synced on each request into the preview's own
database, drafts and scheduled posts are shown, and the browser reloads itself
when a post, page, ``site.toml``, template or static file changes.
"""

from __future__ import annotations

import contextlib
import functools

# Imported for its effect: Django's autoreloader becomes django-watchfiles',
# which hears of a saved file from the OS at once (inotify on Linux) instead
# of looking at every file once a second. Here rather than in INSTALLED_APPS,
# so that only the preview pays for importing it, not every build.
import django_watchfiles
import watchfiles
from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver

from blog import preview
from blog.content.sources import display_path
from blog.errors import ContentErrors
from blog.management.options import add_content_argument

# watchfiles reports a batch of changes once no new one has come for a step
# (50 ms by default), looking once a step: a save waited 50-100 ms to be
# reported. Editors write a file and rename it into place within a
# millisecond, so a shorter step still reports a save as one batch; an idle
# server spends no more CPU for it. django-watchfiles calls the ``watch`` it
# imported, without a step, so that is the name to replace.
WATCH_STEP = 5  # milliseconds
django_watchfiles.watch = functools.partial(watchfiles.watch, step=WATCH_STEP)


class Command(StaticFilesRunserver):
    help = "Preview the site live from the content folder at http://127.0.0.1:8000/."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        add_content_argument(parser)

    def handle(self, *args, **options):
        # Before the server and its file watcher start, in the watching process
        # and in the serving one alike.
        preview.configure(options["content"])
        super().handle(*args, **options)

    def inner_run(self, *args, **options):
        folder = preview.content_dir()
        database = preview.open_database(settings.BLOG_CACHE_DIR)
        self.stdout.write(
            f"Previewing {display_path(folder)} with drafts and scheduled posts (database: {display_path(database)}).\n"
        )
        if not folder.is_dir():
            self.stderr.write(
                f"The content folder {display_path(folder)} does not exist yet:"
                ' `make new TITLE="My first post"` creates it with a first post.\n'
            )
        # Sync once now, so problems show in the console before the first visit;
        # the browser shows them too, on every page, until they are fixed.
        with contextlib.suppress(ContentErrors):
            preview.sync()
        super().inner_run(*args, **options)

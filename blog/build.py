"""The build: content folder in, complete static site out.

1. Read and validate every source and load it into the cache database.
2. Collect static files with hashed names.
3. Render every URL through django-distill into a staging folder.
4. Copy the content folder's other files (images, CNAME, ...).
5. Swap the staging folder into place.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone
from django_distill.renderer import DistillRenderer

from . import output_dir
from .content_sync import MARKDOWN_SUFFIXES, sync_content
from .errors import ContentErrors, ContentProblem
from .models import Page, Post
from .paths import output_file_for
from .siteconfig import SITE_FILE, serve_under_base_path
from .visibility import Visibility, visible

DATABASE_FILE = "blog.sqlite3"
STATIC_DIR = "static"
MANIFEST = "staticfiles.json"


@dataclass
class BuildOptions:
    content_dir: Path
    output_dir: Path
    cache_dir: Path
    drafts: bool = False
    future: bool = False


@dataclass
class BuildResult:
    posts: int
    pages: int
    files_written: int
    seconds: float
    warnings: list[ContentProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Built {self.posts} posts and {self.pages} pages: "
            f"{self.files_written} files written in {self.seconds:.2f} s"
        )


def use_cache_dir(cache_dir: Path) -> None:
    """Point the database at ``cache_dir`` and create its tables if needed."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    connection = connections["default"]
    database = str(cache_dir / DATABASE_FILE)
    if connection.settings_dict["NAME"] != database:
        connection.close()
        connection.settings_dict["NAME"] = database
    call_command("migrate", verbosity=0, interactive=False)


def build_site(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    content_dir = options.content_dir.resolve()
    output = options.output_dir.resolve()
    cache_dir = options.cache_dir.resolve()
    if not content_dir.is_dir():
        raise ContentErrors(
            [
                ContentProblem(
                    str(options.content_dir),
                    0,
                    "the content folder does not exist",
                    "create it, or point --content or BLOG_CONTENT_DIR at yours",
                )
            ]
        )
    output_dir.check_replaceable(output)

    use_cache_dir(cache_dir)
    report = sync_content(content_dir)
    site = report.site

    output_dir.remove_leftovers(output)
    staging = output_dir.new_staging_folder(output)
    try:
        rule = Visibility(drafts=options.drafts, future=options.future, now=timezone.now())
        static_root = cache_dir / STATIC_DIR
        with (
            visible(rule),
            override_settings(
                # DEBUG off makes {% static %} use the hashed names.
                DEBUG=False,
                STATIC_ROOT=str(static_root),
                STATIC_URL=site.base_path + "static/",
            ),
        ):
            call_command("collectstatic", interactive=False, verbosity=0, clear=True)
            written = _render_pages(staging)
            written += _copy_static(static_root, staging / STATIC_DIR)
            written += _copy_content_files(content_dir, staging)
            posts = Post.objects.published().count()
            pages = Page.objects.count()
        output_dir.publish(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(posts, pages, written, time.perf_counter() - started, report.warnings)


def _render_pages(staging: Path) -> int:
    serve_under_base_path(True)
    try:
        count = 0
        with DistillRenderer() as renderer:
            for _pattern, uri, filename, _status, _headers, body in renderer.render():
                target = staging / output_file_for(filename or uri)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
                count += 1
        return count
    finally:
        serve_under_base_path(False)


def _copy_static(static_root: Path, target: Path) -> int:
    """Copy collected static files, hashed and plain names, without the manifest."""
    manifest = json.loads((static_root / MANIFEST).read_text())
    count = 0
    for original, hashed in sorted(manifest["paths"].items()):
        for name in {original, hashed}:
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(static_root / name, destination)
            count += 1
    return count


def _copy_content_files(content_dir: Path, staging: Path) -> int:
    """Copy everything in content/ that is not a source: images, favicon, CNAME."""
    problems = []
    count = 0
    for dirpath, dirnames, filenames in os.walk(content_dir):
        folder = Path(dirpath)
        relative_folder = folder.relative_to(content_dir)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            relative = relative_folder / name
            if name.startswith(".") or relative == Path(SITE_FILE) or name.endswith(MARKDOWN_SUFFIXES):
                # Sources, settings and hidden files are never published.
                continue
            destination = staging / relative
            if destination.exists():
                problems.append(
                    ContentProblem(
                        str(Path(content_dir.name) / relative),
                        0,
                        f"would overwrite the generated page /{relative.as_posix()}",
                        "rename or move the file",
                    )
                )
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, destination)
            count += 1
    if problems:
        raise ContentErrors(problems)
    return count

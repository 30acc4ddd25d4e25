"""The plan stage: every file the new site holds (pages, static files, the
content folder's other files), and which pages need not render again because
every fact they read still holds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django_distill.renderer import DistillRenderer
from django_distill.request import get_uri_values

from ..content.jekyll_data import DATA_DIR
from ..content.liquid_site import INCLUDES_DIR, JEKYLL_CONFIG
from ..content.sources import MARKDOWN_SUFFIXES, ContentFile, display_path
from ..content.stored_files import stored_image_copies
from ..errors import ContentErrors, ContentProblem
from ..models import CacheEntry
from ..paths import output_file_for
from ..reads import unpack_ids
from ..reads.facts import CurrentFacts, FactTable
from ..siteconfig import SITE_FILE
from .fingerprints import code_fingerprint, tree_fingerprint
from .publish import stored_records, trusted_previous
from .related import related_posts
from .state import BuildState, ContentFiles, Plan, SitePage
from .tree_id import copied_file_key

STATIC_DIR = "static"
MANIFEST = "staticfiles.json"
# Files in content/ that are never copied to the output.
NEVER_PUBLISHED = (".py", ".pyc", ".sqlite3", ".sqlite", ".db", ".env", ".toml", ".ini", ".cfg")
# Every page's URL, by route and parameters.
URLS_ENTRY = "urls"


def plan_site(state: BuildState, index, renderer: DistillRenderer) -> None:
    """The new site's files, and the previous build's pages it keeps as they are."""
    state.plan = _plan(state, index, renderer)
    _keep_unchanged_pages(state, index)


def _plan(state: BuildState, index, renderer: DistillRenderer) -> Plan:
    _collect_static(state.static_root)
    plan = Plan()
    for pattern, params, uri in _site_urls(renderer):
        plan.pages.append(SitePage(pattern, params, output_file_for(uri), uri))
    for relative, source in _static_files(state.static_root).items():
        plan.keys[relative] = hashlib.blake2b(source.read_bytes(), digest_size=16).hexdigest()
        plan.copies[relative] = source
    # A page bundle's files go beside its post's URL (blog/site_index.py).
    content_files, plan.skipped = index.published_content(), state.content_files.skipped
    copies_of_images = image_copies(state.image_cache)
    generated = plan.keys.keys() | plan.page_files
    clashes = [relative for relative in content_files if relative in generated or relative in copies_of_images]
    clashes += [relative for relative in copies_of_images if relative in generated]
    if clashes:
        raise ContentErrors(
            [
                ContentProblem(
                    display_path(state.content_dir / relative),
                    0,
                    f"would overwrite the generated file /{relative}",
                    "rename or move the file",
                )
                for relative in clashes
            ]
        )
    for relative, source in content_files.items():
        stat = source.stat()
        plan.keys[relative] = copied_file_key(stat.st_size, stat.st_mtime_ns)
        plan.copies[relative] = source
        plan.content.add(relative)
    for relative, cached in copies_of_images.items():
        # The copy's name ends in a digest of its bytes: the name is its key.
        plan.keys[relative] = f"image:{cached}"
        plan.copies[relative] = state.image_cache / cached
        # Copied as content files are: the same size and mtime are the same file.
        plan.content.add(relative)
    return plan


def image_copies(image_cache: Path | None) -> dict[str, str]:
    """The resized copies of images the posts and pages use: output file ->
    its file's name in the image cache."""
    if image_cache is None:
        return {}
    copies = {}
    for stored in stored_image_copies():
        copies.update(stored)
    return copies


def _keep_unchanged_pages(state: BuildState, index) -> None:
    """Give each page of the previous output whose stored facts all hold its
    stored key: it would come out as the previous build wrote it."""
    plan = state.plan
    state.previous = trusted_previous(state.output)
    records = stored_records() if state.previous else []
    state.stored = {path: key for path, key, _reads in records}
    related_posts(index)
    # Each page's fact ids, asked of the records only if a page that shows a
    # stored fragment needs them (TrustedFacts).
    state.facts = FactTable(state.rule, any_named=any(ids for _path, _key, ids in records))
    state.current_facts = CurrentFacts(index, state.site, state.rule)
    state.trusted = trusted = state.facts.trusted(state.current_facts, records)
    # The new site's copied files whose key is not the one stored for the
    # previous output. Its pages have no key yet: a page gets one below only
    # if it keeps the stored one, or once it is rendered (blog/build/render.py).
    state.rekeyed = {path for path, key in plan.keys.items() if state.stored.get(path) != key}
    # A page whose facts all hold would come out as the previous build wrote
    # it. The table holds every fact a recorded page names (FactTable), so a
    # page's facts all hold when none of them is among the few that fail.
    if trusted:
        pages, failing = plan.page_files, trusted.failing
        for path, key, page_reads in records:
            if page_reads is not None and path in pages and failing.isdisjoint(unpack_ids(page_reads)):
                plan.keys[path] = key
                plan.reads[path] = page_reads
    state.posts, state.pages = len(index.posts), len(index.pages)


def _site_urls(renderer: DistillRenderer) -> list[tuple]:
    """Every page django-distill would render: (pattern, params, URL), as its
    get_urls_to_render lists them. The URLs are remembered between builds, as
    reversing thousands of them costs about a second, and while the code is the
    same a page's URL depends only on its parameters. (distill itself reverses
    each twice: it tries the name without its namespace first, which for ours
    always fails.)"""
    stored = CacheEntry.read(URLS_ENTRY)
    known = stored["urls"] if stored and stored["code"] == code_fingerprint() else {}
    urls, remembered = [], {}
    for pattern in renderer.urls_to_render:
        name = f"{pattern.distill_namespace}:{pattern.name}" if pattern.distill_namespace else pattern.name
        for params in get_uri_values(pattern.distill_func, pattern.name):
            params = params if isinstance(params, dict) else {}
            # Values are ints and slugs, or a lone alias path: joined, they are unambiguous.
            route = "/".join([name, *map(str, params.values())])
            uri = remembered[route] = known.get(route) or reverse(name, kwargs=params)
            urls.append((pattern, params, uri))
    if remembered != known:
        CacheEntry.write(URLS_ENTRY, {"code": code_fingerprint(), "urls": remembered})
    return urls


def page_sources(index, pages: Iterable[SitePage]) -> dict[str, str]:
    """The Markdown file behind each of ``pages`` that has one (a post's or a
    page's), relative to content/, by output file. Asked only of the pages
    with a broken link: for every page it was 0.06 s of each build at
    50,000 posts."""
    found = {}
    for page in pages:
        source = _source_of(index, page.pattern.name, page.params)
        if source:
            found[page.relative] = source
    return found


def _source_of(index, name: str, params: dict) -> str:
    if name == "post":
        return index.post_at(params["post_path"] + "/").source
    if name == "page":
        return next(page.source for page in index.pages if page.slug == params["slug"])
    return ""


def _collect_static(static_root: Path) -> None:
    """Run collectstatic unless the static sources are as they were last time."""
    fingerprint = tree_fingerprint(*[Path(d) for d in settings.STATICFILES_DIRS])
    stored = CacheEntry.read("static")
    if stored == fingerprint and (static_root / MANIFEST).is_file():
        return
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    CacheEntry.write("static", fingerprint)


def _static_files(static_root: Path) -> dict[str, Path]:
    """Collected static files, hashed and plain names, without the manifest."""
    manifest = json.loads((static_root / MANIFEST).read_text())
    files = {}
    for original, hashed in sorted(manifest["paths"].items()):
        for name in (original, hashed):
            files[f"{STATIC_DIR}/{name}"] = static_root / name
    return files


def find_content_files(content_dir: Path, files: tuple[ContentFile, ...]) -> ContentFiles:
    """Everything in content/ that is not a source: images, favicon, CNAME.
    ``files``: the folder's ``list_content``, as the content sync found it.

    Sources, settings, hidden files, code and databases are never published;
    a file left out for being code or a database is a warning, in case the
    author meant it as a download."""
    published, skipped = {}, []
    # What Liquid reads into posts (blog/content/liquid_render.py), not pages of the site.
    liquid_inputs = (f"{DATA_DIR}/", f"{INCLUDES_DIR}/")
    for relative, _mtime_ns, _size in files:
        # Tested on the name first: nearly every file is a source, and
        # this runs over every one of them on every build.
        if relative.endswith(MARKDOWN_SUFFIXES) or relative.startswith(liquid_inputs):
            continue
        if relative in (SITE_FILE, JEKYLL_CONFIG):
            continue
        if relative.endswith(NEVER_PUBLISHED):
            skipped.append(
                ContentProblem(
                    display_path(content_dir / relative),
                    0,
                    "not copied to the output: code, databases and settings files are never published",
                    "zip it if you mean it as a download",
                )
            )
            continue
        published[relative] = content_dir / relative
    return ContentFiles(published, skipped)

"""Fingerprints of what a build runs on: the generator's code, the library
versions, and, for the check that nothing at all changed, every input."""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.template import engines

from ..content.rows import plain_rows
from ..digests import digest
from ..models import CacheEntry, Post
from ..search_bundle import binary_identity
from ..site_index import GENERATION_KEY
from ..siteconfig import SiteConfig
from ..visibility import Visibility


def tree_fingerprint(*roots: Path) -> str:
    """A digest of every file's path and bytes under ``roots`` (code, templates, static)."""
    hasher = hashlib.blake2b(digest_size=16)
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            hasher.update(str(path.relative_to(root)).encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


@lru_cache(maxsize=1)
def _code_parts() -> tuple[str, str, str, list[str]]:
    """Digests of the generator's code, its templates and its static files, and
    the versions of the libraries it runs on."""
    base = Path(settings.BASE_DIR)
    return (
        tree_fingerprint(base / "blog"),
        tree_fingerprint(*[Path(d) for d in settings.TEMPLATES[0]["DIRS"]]),
        tree_fingerprint(*[Path(d) for d in settings.STATICFILES_DIRS]),
        _library_versions(),
    )


def _library_versions() -> list[str]:
    """From the packages' version attributes: importlib.metadata would cost
    50-60 ms of import time on every build."""
    import django
    import django_distill
    import markdown
    import pygments
    import yaml

    return [module.__version__ for module in (django, django_distill, markdown, pygments, yaml)]


def generator_fingerprint() -> str:
    """The code that renders pages: the generator's own (with its settings,
    views and template tags), every other module loaded from the project
    folder by now (a user's own app, its template tags), and the library
    versions. Pages depend on all of it without reading it; templates and
    static files are not in it, as pages record those they use."""
    # Making the engine imports every template tag library it can find.
    engines["django"].engine  # noqa: B018
    code, _templates, _static, versions = _code_parts()
    base = Path(settings.BASE_DIR).resolve()
    generator = base / "blog"
    written = (sys.prefix, sys.base_prefix, sys.exec_prefix)
    prefixes = {Path(prefix).resolve() for prefix in written}
    # Tested on the name first, as written and resolved: nearly every loaded
    # module is the standard library's or an installed package's, and
    # resolving each of some 700 paths cost 20 ms of every build that renders.
    library = tuple(os.path.join(prefix, "") for prefix in {*written, *map(str, prefixes)})
    others = sorted(
        path
        for name, module in list(sys.modules.items())
        # Not the entry point (manage.py, or a script that calls the build),
        # which multiprocessing also loads as __mp_main__.
        if name not in ("__main__", "__mp_main__")
        and (file := getattr(module, "__file__", None))
        and not file.startswith(library)
        and (path := Path(file).resolve()).is_relative_to(base)
        and not path.is_relative_to(generator)
        # Nor installed libraries, when the virtual environment is in the project.
        and not any(path.is_relative_to(prefix) for prefix in prefixes)
    )
    return digest(code, versions, [(str(path.relative_to(base)), path.read_bytes()) for path in others])


def code_fingerprint() -> str:
    """The generator's own code, templates, static files and library versions."""
    return digest(*_code_parts())


def inputs_key(site: SiteConfig, rule: Visibility, content_files: dict[str, Path]) -> str:
    """Everything a build reads, summed up without rendering or planning: the
    content (through the sync's generation token), which posts are visible now,
    the code and settings, the files copied from content/, and the Pagefind
    binary that indexes the site."""
    generation = CacheEntry.read(GENERATION_KEY)
    # Which posts show, and which of them show as scheduled (with --future):
    # both change with the clock alone. In one query, unordered and sorted
    # here: SQLite then reads them from the index of the posts' order, not
    # from the rows, which hold the bodies (two ordered queries took 0.09 s
    # at 50,000 posts, this one 0.02).
    scheduled = ExpressionWrapper(Q(date__gt=rule.cutoff()), output_field=BooleanField())
    rows = sorted(plain_rows(Post.objects.published().order_by().values_list("pk", scheduled)))
    visible = [[pk for pk, _later in rows], [pk for pk, later in rows if later]]
    copies = [
        (relative, stat.st_size, stat.st_mtime_ns)
        for relative, stat in ((relative, source.stat()) for relative, source in content_files.items())
    ]
    search = binary_identity() if site.uses_pagefind else None
    return digest(generation, visible, code_fingerprint(), site.as_dict(), rule.drafts, rule.future, copies, search)

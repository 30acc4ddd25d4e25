"""WordPress exports made by the tests: one item of each kind, or many."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.wordpress import item_xml, large_export, write_export
from tests.conftest import ROOT, build_env, run_build

__all__ = ["item_xml", "large_export", "write_export", "import_and_build"]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wordpress"
# The site the end-to-end tests import the fixture export into: served under a path.
IMPORTED_SITE_TOML = (
    'title = "Pebbles"\nbase_url = "http://127.0.0.1/blog/"\ntime_zone = "Europe/Stockholm"\n'
    'disqus_shortname = "pebbles"\n'
)


def import_and_build(root: Path):
    """Import the fixture export with the real command into ``root/content``, then build
    into ``root/blog`` (the site's base path), as an author would."""
    content = root / "content"
    content.mkdir()
    (content / "site.toml").write_text(IMPORTED_SITE_TOML, encoding="utf-8")
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_wordpress",
        str(FIXTURES / "blog-1.2.xml"),
        "--uploads",
        str(FIXTURES / "uploads"),
        "--content",
        str(content),
    ]
    imported = subprocess.run(command, capture_output=True, text=True, env=build_env(), cwd=ROOT, timeout=120)
    assert imported.returncode == 0, imported.stderr
    build = run_build(content, root / "blog", root / "cache")
    assert build.ok, build.process.stderr
    return imported, build

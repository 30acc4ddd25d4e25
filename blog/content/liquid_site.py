"""Whether and how a site asks for Liquid (blog/content/liquid_render.py), without
loading python-liquid.

Every build and every preview request syncs the content, and most sites have
no Liquid at all: python-liquid is imported only when a post is rendered
through it, which keeps it out of the start-up of every build (about 40 ms).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from .source_names import SourceNames

# A Jekyll site's settings file: its presence marks a Jekyll site copied in.
JEKYLL_CONFIG = "_config.yml"
# Where a Jekyll site keeps the files `{% include %}` names.
INCLUDES_DIR = "_includes"
# The front-matter key that turns Liquid on or off for one post.
LIQUID_KEY = "liquid"


@dataclass(frozen=True)
class LiquidSite:
    """What Liquid in a post may read of the site; sent with each file to render."""

    content_dir: str
    base_url: str
    time_zone: str
    # The whole site asked for Liquid (site.toml or a _config.yml).
    everywhere: bool
    names: SourceNames
    # The permalink template of a Jekyll site copied in (its _config.yml), or ""
    # (blog/content/jekyll_permalinks.py): its posts keep their old addresses.
    jekyll_permalink: str = ""

    def wanted_by(self, meta: Mapping) -> bool:
        """Whether a post with front matter ``meta`` is rendered with Liquid."""
        asked = meta.get(LIQUID_KEY)
        if isinstance(asked, bool):
            return asked
        return self.everywhere


def site_asks_for_liquid(content_dir: Path, liquid_setting: bool) -> bool:
    return liquid_setting or (content_dir / JEKYLL_CONFIG).is_file()


@dataclass(frozen=True)
class Location:
    """The file a template came from, and the file line of its first line."""

    display: str
    first_line: int


def liquid_fingerprint() -> str:
    """Changes whenever the same post could render differently through
    Liquid or Hugo's links: python-liquid's version and this code."""
    modules = [
        Path(__file__).with_name("liquid_render.py"),
        *(
            Path(__file__).with_name(name)
            for name in (
                "liquid_site.py",
                "jekyll_tags.py",
                "jekyll_filters.py",
                "jekyll_data.py",
                "hugo_shortcodes.py",
                "source_names.py",
                "render_inputs.py",
                "internal_links.py",
            )
        ),
    ]
    parts = [version("python-liquid"), *(Path(module).read_text(encoding="utf-8") for module in modules)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

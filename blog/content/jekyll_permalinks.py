"""The addresses a Jekyll site gave its posts, so that a site copied in keeps
them: each post gets its old address as an alias, which redirects.

Jekyll builds a post's URL from the ``permalink`` setting of ``_config.yml``:
one of its named styles or a template of ``:placeholders``. A post with its
own ``permalink`` (or ``path``, ``url``) is published there, and needs none.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote

import yaml

from .liquid_site import JEKYLL_CONFIG

# Jekyll's named styles (its default is "date").
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DEFAULT_STYLE = "date"
_PLACEHOLDER = re.compile(r":([a-z_]+)")


def jekyll_permalink(content_dir: Path) -> str:
    """The template of the Jekyll site copied into ``content_dir``, or "" when
    there is no ``_config.yml`` (not a Jekyll site)."""
    path = content_dir / JEKYLL_CONFIG
    if not path.is_file():
        return ""
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        settings = None  # Jekyll's settings are a convenience here, never an error
    style = settings.get("permalink") if isinstance(settings, dict) else None
    if not isinstance(style, str) or not style.strip():
        style = DEFAULT_STYLE
    return STYLES.get(style.strip(), style.strip())


def jekyll_address(template: str, date: dt.datetime, slug: str, categories: list[str]) -> str:
    """The site-relative path Jekyll gave a post (``date`` in the site's time zone)."""
    values = {
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "short_month": date.strftime("%b"),
        "long_month": date.strftime("%B"),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "week": f"{date.isocalendar()[1]:02d}",
        "short_day": date.strftime("%a"),
        "long_day": date.strftime("%A"),
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "title": slug,
        "slug": slug,
        # Jekyll downcases the categories and joins them as folders.
        "categories": "/".join(dict.fromkeys(category.lower() for category in categories)),
        "output_ext": ".html",
    }
    path = _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)
    # An empty :categories leaves a double slash, which Jekyll squeezes.
    path = re.sub(r"/{2,}", "/", "/" + path)
    return quote(path, safe="/:@!$&'()*+,;=-._~")

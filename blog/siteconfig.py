"""The site's settings, read from ``content/site.toml``. Every key is optional."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import reads
from .content.frontmatter import toml_error_line
from .errors import ContentError

SITE_FILE = "site.toml"


@dataclass(frozen=True)
class SiteConfig:
    title: str = "My Blog"
    description: str = ""
    author: str = ""
    language: str = "en"
    base_url: str = "http://localhost:8000/"
    time_zone: str = "UTC"
    posts_per_page: int = 10
    disqus_shortname: str = ""
    google_cse_id: str = ""
    # "pagefind", "google" or "both"; empty: Google when google_cse_id is set,
    # Pagefind otherwise (the property ``search_engine``).
    search: str = ""
    pygments_style: str = "default"
    pygments_dark_style: str = "monokai"
    # Local images (blog/content/images.py): the widths of the smaller copies
    # made of each, in pixels; the largest image accepted, in megapixels; and
    # how wide an image shows at each viewport (the `sizes` attribute): the
    # main column is at most 70ch, about 41rem, inside 1.25rem gutters.
    image_widths: tuple[int, ...] = (480, 960, 1600)
    image_max_megapixels: int = 50
    image_sizes: str = "(max-width: 43.5rem) calc(100vw - 2.5rem), 41rem"
    # Render Liquid in every post (blog/content/liquid_render.py): for a Jekyll site.
    liquid: bool = False

    @property
    def origin(self) -> str:
        """Scheme and host of base_url, e.g. ``https://user.github.io``."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def base_path(self) -> str:
        """The path the site is served under, always ending in ``/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def search_engine(self) -> str:
        """What the search box uses: "pagefind", "google" or "both"."""
        if self.search:
            return self.search
        return "google" if self.google_cse_id else "pagefind"

    @property
    def uses_pagefind(self) -> bool:
        """Whether the build indexes the site with Pagefind and the pages search it."""
        return self.search_engine in ("pagefind", "both")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def absolute(self, path: str) -> str:
        """The published, absolute URL of a path that reverse() gave while
        rendering: under base_url's path, even in the preview, which serves at "/"."""
        return self.origin + self.base_path + path.removeprefix(url_prefix())

    def as_dict(self) -> dict:
        return asdict(self)


_TYPES = {f.name: f.type for f in fields(SiteConfig)}
# Each setting's type: what it must be, in words, and an example.
_KINDS = {
    "int": (int, "a whole number", "10"),
    "str": (str, "a string", '"..."'),
    "bool": (bool, "true or false", "true"),
}
SEARCH_ENGINES = ("pagefind", "google", "both")
# The fact (blog/reads/recorder.py) of a page that used the site's settings.
SETTINGS_FACT = ("site",)


def parse_site_config(text: str) -> SiteConfig:
    """Validate the text of site.toml; raise ContentError naming the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(
            f"invalid TOML: {exc}",
            line=toml_error_line(exc) or 1,
            hint="see https://toml.io for the syntax",
        ) from None
    values = {}
    for key, value in data.items():
        if key not in _TYPES:
            # [publish.<name>] tables are read by parse_publish_targets, and
            # only by `publish`: they are not settings the pages depend on.
            # Unknown keys are kept out of the config but are never an error:
            # themes may read their own settings from the file later.
            continue
        if _TYPES[key] == "tuple[int, ...]":
            values[key] = _whole_numbers(text, key, value)
            continue
        expected, described, example = _KINDS[_TYPES[key]]
        if type(value) is not expected:
            raise ContentError(
                f"{key} must be {described}, not {type(value).__name__} {value!r}",
                line=line_of_key(text, key),
                hint=f"write it as {key} = {example}",
            )
        values[key] = value
    config = SiteConfig(**values)
    _check(config, text)
    return config


def _whole_numbers(text: str, key: str, value) -> tuple[int, ...]:
    """A list of positive whole numbers, such as image_widths."""
    if not isinstance(value, list) or not all(type(item) is int and item > 0 for item in value):
        raise ContentError(
            f"{key} must be a list of positive whole numbers, not {value!r}",
            line=line_of_key(text, key),
            hint=f"write it as {key} = [480, 960, 1600]",
        )
    return tuple(sorted(set(value)))


def _check(config: SiteConfig, text: str) -> None:
    try:
        ZoneInfo(config.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContentError(
            f"unknown time_zone {config.time_zone!r}",
            line=line_of_key(text, "time_zone"),
            hint='use an IANA name such as "UTC" or "Europe/Stockholm"',
        ) from None
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ContentError(
            f"base_url must be an absolute http(s) URL, not {config.base_url!r}",
            line=line_of_key(text, "base_url"),
            hint='for example "https://user.github.io/blog/"',
        )
    for key in ("pygments_style", "pygments_dark_style"):
        name = getattr(config, key)
        if name not in _pygments_styles():
            raise ContentError(
                f"unknown {key} {name!r}",
                line=line_of_key(text, key),
                hint="pick one of: " + ", ".join(sorted(_pygments_styles())),
            )
    if config.image_max_megapixels < 1:
        raise ContentError(
            f"image_max_megapixels must be at least 1, not {config.image_max_megapixels}",
            line=line_of_key(text, "image_max_megapixels"),
        )
    if config.search and config.search not in SEARCH_ENGINES:
        raise ContentError(
            f"unknown search {config.search!r}",
            line=line_of_key(text, "search"),
            hint='use "pagefind" (built into the site, works offline), "google", or "both"',
        )
    if config.posts_per_page < 1:
        raise ContentError(
            f"posts_per_page must be at least 1, not {config.posts_per_page}",
            line=line_of_key(text, "posts_per_page"),
        )


def _pygments_styles() -> set[str]:
    from pygments.styles import get_all_styles

    return set(get_all_styles())


def line_of_key(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key) and "=" in line:
            return number
    return 1


_active: SiteConfig | None = None
# The build renders URLs under base_url's path; the preview serves at "/".
_under_base_path = False


def activate_site(config: SiteConfig) -> None:
    """Make ``config`` the site every view renders (set by each content sync)."""
    global _active
    _active = config


def active_site() -> SiteConfig:
    """The site's settings. Every way to them goes through here (the ``site``
    template variable too, from the context processor), so a page that uses
    them depends on them: on all of them, as one fact. Nearly every page shows
    most of them, and a page asks for them a hundred times: recorded one by
    one, they cost more than they saved."""
    site = _active if _active is not None else SiteConfig()
    reads.record_key(SETTINGS_FACT, site)
    return site


def serve_under_base_path(enabled: bool) -> None:
    global _under_base_path
    _under_base_path = enabled


def url_prefix() -> str:
    """The path every reversed URL starts with while rendering."""
    return active_site().base_path if _under_base_path else "/"

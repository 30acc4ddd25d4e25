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
                line=_line_of_key(text, key),
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
            line=_line_of_key(text, key),
            hint=f"write it as {key} = [480, 960, 1600]",
        )
    return tuple(sorted(set(value)))


@dataclass(frozen=True)
class HeaderRule:
    """Headers for the published files whose site path matches ``glob``
    (fnmatch: ``*`` matches across folders too). Empty means: keep the default."""

    glob: str
    content_type: str = ""
    cache_control: str = ""


@dataclass(frozen=True)
class PublishTarget:
    """One ``[publish.<name>]`` table of site.toml. ``kind`` is "s3" or "git";
    ``location`` is the bucket for s3 and the remote for git; ``path`` is the
    key prefix for s3 ("" or ending in "/") and the branch for git."""

    name: str
    kind: str
    url: str
    location: str
    path: str
    endpoint: str = ""
    region: str = ""
    cdn: str = ""  # the CloudFront distribution's id
    cdn_endpoint: str = ""  # CloudFront's API elsewhere than AWS (a local moto server)
    cdn_max_paths: int = 300
    jobs: int = 8
    headers: tuple[HeaderRule, ...] = ()


# Keys each kind of target takes, with the type of each.
_S3_KEYS = {
    "url": str,
    "endpoint": str,
    "region": str,
    "cdn": str,
    "cdn_endpoint": str,
    "cdn_max_paths": int,
    "jobs": int,
    "headers": dict,
}
_GIT_KEYS = {"url": str}
_HEADER_KEYS = ("content_type", "cache_control")
DEFAULT_GIT_BRANCH = "gh-pages"


def parse_publish_targets(text: str) -> tuple[dict[str, PublishTarget], list[ContentError]]:
    """The ``[publish.<name>]`` tables of site.toml's text, and every problem in them."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [ContentError(f"invalid TOML: {exc}", line=toml_error_line(exc) or 1)]
    tables = data.get("publish", {})
    if not isinstance(tables, dict):
        return {}, [ContentError("publish must be a table of targets", line=_line_of_key(text, "publish"))]
    targets, problems = {}, []
    for name, table in tables.items():
        header = _line_of_table(text, name)
        try:
            targets[name] = _target(name, table, header)
        except ContentError as error:
            problems.append(error)
    return targets, problems


def _target(name: str, table, line: int) -> PublishTarget:
    example = 'url = "s3://my-bucket/blog/" or url = "git:../my-site.git#gh-pages"'
    if not isinstance(table, dict):
        raise ContentError(f"publish.{name} must be a table", line=line, hint=f"write [publish.{name}] and {example}")
    url = table.get("url")
    if not isinstance(url, str) or not url:
        raise ContentError(f"[publish.{name}] has no url", line=line, hint=example)
    if url.startswith("s3://"):
        allowed, kind = _S3_KEYS, "s3"
    elif url.startswith("git:"):
        allowed, kind = _GIT_KEYS, "git"
    else:
        raise ContentError(f"[publish.{name}] url {url!r} is neither s3:// nor git:", line=line, hint=example)
    for key, value in table.items():
        if key not in allowed:
            raise ContentError(
                f"[publish.{name}] has an unknown key {key!r}",
                line=line,
                hint=f"a {kind} target takes: " + ", ".join(allowed),
            )
        if type(value) is not allowed[key]:
            raise ContentError(
                f"[publish.{name}] {key} must be {_TYPE_NAMES[allowed[key]]}, not {type(value).__name__}",
                line=line,
            )
    if kind == "git":
        remote, _, branch = url.removeprefix("git:").partition("#")
        if not remote:
            raise ContentError(f"[publish.{name}] url {url!r} names no repository", line=line, hint=example)
        return PublishTarget(name, kind, url, remote, branch or DEFAULT_GIT_BRANCH)
    parts = urlsplit(url)
    if not parts.netloc or parts.query or parts.fragment:
        raise ContentError(f"[publish.{name}] url {url!r} names no bucket", line=line, hint=example)
    prefix = parts.path.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    for key in ("endpoint", "cdn_endpoint"):
        endpoint = table.get(key, "")
        if endpoint and (urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc):
            raise ContentError(
                f"[publish.{name}] {key} {endpoint!r} is not an http(s) URL",
                line=line,
                hint=f'for example {key} = "https://<account>.r2.cloudflarestorage.com", or leave it out for AWS',
            )
    cdn = table.get("cdn", "")
    if cdn and (not cdn.startswith("cloudfront:") or not cdn.removeprefix("cloudfront:")):
        raise ContentError(
            f"[publish.{name}] cdn {cdn!r} is not cloudfront:<distribution id>",
            line=line,
            hint='cdn = "cloudfront:E123ABC"',
        )
    for key in ("cdn_max_paths", "jobs"):
        if key in table and table[key] < 1:
            raise ContentError(f"[publish.{name}] {key} must be at least 1, not {table[key]}", line=line)
    return PublishTarget(
        name,
        kind,
        url,
        parts.netloc,
        prefix,
        endpoint=table.get("endpoint", ""),
        region=table.get("region", ""),
        cdn=cdn.removeprefix("cloudfront:"),
        cdn_endpoint=table.get("cdn_endpoint", ""),
        cdn_max_paths=table.get("cdn_max_paths", PublishTarget.cdn_max_paths),
        jobs=table.get("jobs", PublishTarget.jobs),
        headers=_header_rules(name, table.get("headers", {}), line),
    )


def _header_rules(name: str, table: dict, line: int) -> tuple[HeaderRule, ...]:
    rules = []
    for glob, headers in table.items():
        hint = f'write "{glob}" = {{ cache_control = "...", content_type = "..." }}'
        if not isinstance(headers, dict) or not headers:
            raise ContentError(f"[publish.{name}.headers] {glob!r} must be a table of headers", line=line, hint=hint)
        for key, value in headers.items():
            if key not in _HEADER_KEYS or not isinstance(value, str) or not value:
                raise ContentError(
                    f"[publish.{name}.headers] {glob!r} sets {key!r} to {value!r}",
                    line=line,
                    hint="each glob takes cache_control and content_type, as non-empty strings",
                )
        rules.append(HeaderRule(glob, **headers))
    return tuple(rules)


_TYPE_NAMES = {str: "a string", int: "a whole number", dict: "a table"}


def _line_of_table(text: str, name: str) -> int:
    """The line of ``[publish.<name>]`` (or of the line naming it), or 1."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().replace(" ", "")
        if stripped.startswith((f"[publish.{name}]", f'[publish."{name}"]')):
            return number
    for number, line in enumerate(text.splitlines(), start=1):
        if name in line and "publish" in line:
            return number
    return 1


def _check(config: SiteConfig, text: str) -> None:
    try:
        ZoneInfo(config.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContentError(
            f"unknown time_zone {config.time_zone!r}",
            line=_line_of_key(text, "time_zone"),
            hint='use an IANA name such as "UTC" or "Europe/Stockholm"',
        ) from None
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ContentError(
            f"base_url must be an absolute http(s) URL, not {config.base_url!r}",
            line=_line_of_key(text, "base_url"),
            hint='for example "https://user.github.io/blog/"',
        )
    for key in ("pygments_style", "pygments_dark_style"):
        name = getattr(config, key)
        if name not in _pygments_styles():
            raise ContentError(
                f"unknown {key} {name!r}",
                line=_line_of_key(text, key),
                hint="pick one of: " + ", ".join(sorted(_pygments_styles())),
            )
    if config.image_max_megapixels < 1:
        raise ContentError(
            f"image_max_megapixels must be at least 1, not {config.image_max_megapixels}",
            line=_line_of_key(text, "image_max_megapixels"),
        )
    if config.search and config.search not in SEARCH_ENGINES:
        raise ContentError(
            f"unknown search {config.search!r}",
            line=_line_of_key(text, "search"),
            hint='use "pagefind" (built into the site, works offline), "google", or "both"',
        )
    if config.posts_per_page < 1:
        raise ContentError(
            f"posts_per_page must be at least 1, not {config.posts_per_page}",
            line=_line_of_key(text, "posts_per_page"),
        )


def _pygments_styles() -> set[str]:
    from pygments.styles import get_all_styles

    return set(get_all_styles())


def _line_of_key(text: str, key: str) -> int:
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

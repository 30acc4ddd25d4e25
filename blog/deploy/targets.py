"""The ``[publish.<name>]`` tables of site.toml: where ``manage.py publish``
sends the output folder. Read only by publish, never by the build, so that a
change to them never makes a page render again."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..content.frontmatter import toml_error_line
from ..content.sources import display_path, read_site
from ..errors import ContentError, ContentErrors
from ..siteconfig import SITE_FILE, line_of_key


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
        return {}, [ContentError("publish must be a table of targets", line=line_of_key(text, "publish"))]
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


def read_publish_targets(content_dir: Path) -> dict[str, PublishTarget]:
    """The ``[publish.<name>]`` targets of the content folder's site.toml;
    ContentErrors naming site.toml with every problem in them."""
    path = content_dir / SITE_FILE
    if not path.exists():
        return {}
    read_site(content_dir)  # the same checks as the build's, first
    targets, problems = parse_publish_targets(path.read_bytes().decode("utf-8").removeprefix("\ufeff"))
    if problems:
        raise ContentErrors([problem.at(display_path(path)) for problem in problems])
    return targets

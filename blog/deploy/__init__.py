"""Publishing the built site: ``manage.py publish [TARGET]``.

A target is a ``[publish.<name>]`` table of site.toml (read by
blog/siteconfig.py): an S3-compatible bucket (publish_s3.py over s3.py) or a
git branch (git.py). local.py reads the output folder, headers.py gives each
file's headers, plan.py decides what to upload, in which order, and what to
delete; report.py holds the end line and the error a failed publish raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..build.output import build_lock
from ..build.progress import Progress
from ..siteconfig import SiteConfig
from .git import publish_git
from .publish_s3 import publish_s3
from .report import PublishError, PublishResult
from .targets import PublishTarget

__all__ = ["PublishError", "PublishOptions", "PublishResult", "choose_target", "publish"]

DEFAULT_MAX_DELETES = 256


@dataclass
class PublishOptions:
    content_dir: Path
    output_dir: Path
    cache_dir: Path
    dry_run: bool = False
    force: bool = False
    max_deletes: int = DEFAULT_MAX_DELETES


def choose_target(targets: dict[str, PublishTarget], name: str | None) -> PublishTarget:
    """The target called ``name``, or the only one when no name is given."""
    if not targets:
        raise PublishError(
            "site.toml has no [publish.<name>] table: add one, for example\n"
            '[publish.production]\nurl = "s3://my-bucket/blog/"'
        )
    if name is None:
        if len(targets) == 1:
            return next(iter(targets.values()))
        raise PublishError("site.toml names several targets; say which: " + ", ".join(sorted(targets)))
    if name not in targets:
        raise PublishError(f"site.toml has no target {name!r}; it has: " + ", ".join(sorted(targets)))
    return targets[name]


def publish(
    site: SiteConfig, target: PublishTarget, options: PublishOptions, progress: Progress, out: TextIO
) -> PublishResult:
    options.cache_dir.mkdir(parents=True, exist_ok=True)
    # A build of the same cache waits until the publish has read the output
    # (and a publish waits for a build under way), so what is published is
    # one build's site, never half of two.
    with build_lock(options.cache_dir):
        return _publish(site, target, options, progress, out)


def _publish(
    site: SiteConfig, target: PublishTarget, options: PublishOptions, progress: Progress, out: TextIO
) -> PublishResult:
    output = options.output_dir
    if not output.is_dir() or not any(output.iterdir()):
        raise PublishError(f"{output} has no site to publish: build it first (or pass --build)")
    if target.kind == "git":
        return publish_git(
            target,
            output,
            options.cache_dir,
            options.content_dir,
            dry_run=options.dry_run,
            force=options.force,
            out=out,
        )
    return publish_s3(
        site,
        target,
        output,
        dry_run=options.dry_run,
        force=options.force,
        max_deletes=options.max_deletes,
        progress=progress,
        out=out,
    )

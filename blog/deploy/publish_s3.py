"""Publish the output folder to an S3-compatible bucket: compare, upload
in waves (plan.py), delete, invalidate the CDN's changed paths."""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..build.progress import Progress
from ..siteconfig import PublishTarget, SiteConfig
from .local import LocalFile, scan
from .plan import Plan, RemoteFile, make_plan
from .report import PublishError, PublishResult, size_text
from .s3 import Bucket, Distribution, Known

# Above this many changed paths, the CDN is invalidated whole (target's cdn_max_paths).
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
    " (credentials are never read from site.toml)"
)


def publish_s3(
    site: SiteConfig,
    target: PublishTarget,
    output: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
    max_deletes: int = 256,
    progress: Progress | None = None,
    out: TextIO | None = None,
    bucket: Bucket | None = None,
) -> PublishResult:
    started = time.perf_counter()
    progress = progress or Progress()
    bucket = bucket or Bucket(target)
    where = f"s3://{bucket.name}/{bucket.prefix}"
    try:
        local = _scan(output, target, progress)
        manifest, known, remote = _remote_state(bucket, target, progress)
        plan = make_plan(site, local, remote, force=force, max_deletes=max_deletes)
        paths = invalidation_paths(site, plan, remote)
        whole = [site.base_path + "*"] if len(paths) > target.cdn_max_paths else None
        result = PublishResult(
            uploaded=len(plan.uploads),
            uploaded_bytes=plan.upload_bytes,
            deleted=len(plan.deletes),
            unchanged=plan.unchanged,
            invalidated=len(whole or paths) if target.cdn else 0,
            dry_run=dry_run,
        )
        if plan.refused:
            result.notes.append(plan.refused)
        if target.cdn and whole:
            result.notes.append(
                f"{len(paths)} changed paths are more than cdn_max_paths {target.cdn_max_paths}:"
                f" invalidating the whole site ({whole[0]}) instead"
            )
        if dry_run:
            _describe(plan, where, whole if whole else paths, target, out)
        else:
            _upload(bucket, plan, known, progress, where)
            _delete(bucket, plan, known, progress, where)
            if known != manifest:  # a publish that changed nothing writes nothing
                bucket.write_manifest(known)
            if target.cdn and (whole or paths):
                Distribution(target).invalidate(whole or paths, reference=f"publish-{time.time_ns()}")
    except NoCredentialsError:
        raise PublishError(NO_CREDENTIALS) from None
    except (BotoCoreError, ClientError) as error:
        raise PublishError(f"could not publish to {where}: {error}") from None
    result.seconds = time.perf_counter() - started
    return result


def _scan(output: Path, target: PublishTarget, progress: Progress) -> dict[str, LocalFile]:
    progress.phase("read output", 0)
    local = scan(output, target.headers)
    progress.end_phase(f"{len(local)} files")
    return local


def _remote_state(
    bucket: Bucket, target: PublishTarget, progress: Progress
) -> tuple[dict[str, Known], dict[str, Known], dict[str, RemoteFile]]:
    """The manifest as stored; what it knows, brought up to date with the
    listing; and the remote as the plan compares it."""
    progress.phase("list remote", 0)
    listing = bucket.listing()
    manifest = bucket.read_manifest()
    known = {
        path: manifest[path]
        for path, (etag, _size) in listing.items()
        if path in manifest and manifest[path].etag == etag
    }
    unknown = sorted(listing.keys() - known.keys())
    if unknown:
        with ThreadPoolExecutor(target.jobs) as pool:
            for path, (etag, found) in zip(unknown, pool.map(bucket.head, unknown), strict=True):
                known[path] = Known(etag, found.md5 or "", found.headers)
    progress.end_phase(f"{len(listing)} files, {len(unknown)} asked for")
    remote = {path: RemoteFile(k.md5 or None, k.headers, listing[path][1]) for path, k in known.items()}
    return manifest, known, remote


def _upload(bucket: Bucket, plan: Plan, known: dict[str, Known], progress: Progress, where: str) -> None:
    """Each wave in parallel; the next only after all of it succeeded."""
    uploads = plan.uploads
    progress.phase("upload", len(uploads))
    done = 0
    pool = ThreadPoolExecutor(bucket.target.jobs)
    try:
        for wave in plan.waves:
            futures = {pool.submit(bucket.put, upload): upload for upload in wave}
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in finished:
                if future.exception() is None:
                    upload = futures[future]
                    known[upload.relative] = Known(future.result(), upload.file.md5, upload.file.headers)
                    done += 1
                    progress.advance()
            failed = [future for future in finished if future.exception() is not None]
            if failed:
                pool.shutdown(wait=True, cancel_futures=True)
                for future in futures:
                    if future.done() and not future.cancelled() and future.exception() is None:
                        upload = futures[future]
                        known[upload.relative] = Known(future.result(), upload.file.md5, upload.file.headers)
                upload, error = futures[failed[0]], failed[0].exception()
                _save_what_is_known(bucket, known)
                raise PublishError(
                    f"could not upload {upload.relative} to {where}: {error}\n"
                    f"Publishing stopped after {done} of {len(uploads)} uploads; no page was uploaded before"
                    " the files it needs, so the remote has no broken page. Run publish again to finish."
                ) from None
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    progress.end_phase(f"{len(uploads)} files, {size_text(plan.upload_bytes)}")


def _save_what_is_known(bucket: Bucket, known: dict[str, Known]) -> None:
    """Best effort: the next run asks for what this could not save."""
    with contextlib.suppress(BotoCoreError, ClientError):
        bucket.write_manifest(known)


def _delete(bucket: Bucket, plan: Plan, known: dict[str, Known], progress: Progress, where: str) -> None:
    if not plan.deletes:
        return
    progress.phase("delete", len(plan.deletes))
    bucket.delete(plan.deletes)
    for path in plan.deletes:
        known.pop(path, None)
    progress.advance(len(plan.deletes))
    progress.end_phase(f"{len(plan.deletes)} files")


def invalidation_paths(site: SiteConfig, plan: Plan, remote: dict[str, RemoteFile]) -> list[str]:
    """The URL paths a CDN may hold an old copy of: files changed or deleted
    (a new file was never cached), with a folder's URL beside its index.html."""
    changed = [upload.relative for upload in plan.uploads if upload.relative in remote] + plan.deletes
    paths = []
    for relative in sorted(changed):
        paths.append(quote(site.base_path + relative, safe="/~"))
        if relative == "index.html" or relative.endswith("/index.html"):
            paths.append(quote(site.base_path + relative.removesuffix("index.html"), safe="/~"))
    return paths


def _describe(plan: Plan, where: str, paths: list[str], target: PublishTarget, out: TextIO | None) -> None:
    """The dry run's account of every change it would make."""
    if out is None:
        return
    for number, wave in enumerate(plan.waves, start=1):
        for upload in wave:
            out.write(f"upload ({upload.reason}, wave {number}) {where}{upload.relative} [{upload.file.size} B]\n")
    for relative in plan.deletes:
        out.write(f"delete {where}{relative}\n")
    if target.cdn:
        for path in paths:
            out.write(f"invalidate cloudfront:{target.cdn} {path}\n")

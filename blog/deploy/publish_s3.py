"""Publish the output folder to an S3-compatible bucket: compare, upload
in waves (plan.py), delete, invalidate the CDN's changed paths."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..build.progress import Progress
from ..siteconfig import SiteConfig
from .local import LocalFile, scan
from .plan import Plan, RemoteFile, make_plan
from .report import PublishError, PublishResult, size_text
from .s3 import Bucket, Distribution, Known, decode_manifest, encode_manifest
from .targets import PublishTarget

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
            result.deletes_refused = True
        if target.cdn and whole:
            result.notes.append(
                f"{len(paths)} changed paths are more than cdn_max_paths {target.cdn_max_paths}:"
                f" invalidating the whole site ({whole[0]}) instead"
            )
        if dry_run:
            _describe(plan, where, whole if whole else paths, target, out)
        else:
            _upload(bucket, plan, known, manifest, progress, where)
            _delete(bucket, plan, known, progress, where)
            _save_what_is_known(bucket, known, manifest, best_effort=False)
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
) -> tuple[bytes, dict[str, Known], dict[str, RemoteFile]]:
    """The manifest as stored; what is known of each object (from the
    manifest where the listing agrees with it, else asked for with HEAD);
    and the remote as the plan compares it."""
    progress.phase("list remote", 0)
    listing = bucket.listing()
    manifest = bucket.read_manifest()
    known = decode_manifest(manifest, listing)
    unknown = sorted(listing.keys() - known.keys())
    if unknown:
        with ThreadPoolExecutor(target.jobs) as pool:
            for path, (etag, found) in zip(unknown, pool.map(bucket.head, unknown), strict=True):
                known[path] = Known(etag, found.md5 or "", found.headers)
    progress.end_phase(f"{len(listing)} files, {len(unknown)} asked for")
    remote = {path: RemoteFile(k.md5 or None, k.headers, listing[path][1]) for path, k in known.items()}
    return manifest, known, remote


def _upload(bucket: Bucket, plan: Plan, known: dict[str, Known], stored: bytes, progress: Progress, where: str) -> None:
    """Each wave in parallel; the next only once all of it is uploaded. At
    the first failure no more uploads start, those under way end, and what
    was uploaded is recorded."""
    uploads = plan.uploads
    progress.phase("upload", len(uploads))
    done = 0
    with ThreadPoolExecutor(bucket.target.jobs) as pool:
        try:
            for wave in plan.waves:
                futures = {pool.submit(bucket.put, upload): upload for upload in wave}
                failure = None
                for future in as_completed(futures):
                    upload = futures[future]
                    if future.cancelled():
                        continue
                    if future.exception() is None:
                        known[upload.relative] = Known(future.result(), upload.file.md5, upload.file.headers)
                        done += 1
                        progress.advance()
                    elif failure is None:
                        failure = (upload, future.exception())
                        for other in futures:
                            other.cancel()
                if failure:
                    _save_what_is_known(bucket, known, stored)
                    raise PublishError(
                        f"could not upload {failure[0].relative} to {where}: {failure[1]}\n"
                        f"Publishing stopped after {done} of {len(uploads)} uploads; no page was uploaded before"
                        " the files it needs, so the remote has no broken page. Run publish again to finish."
                    )
        except BaseException:
            # Ctrl-C too: start nothing more; the uploads under way end first.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    progress.end_phase(f"{len(uploads)} files, {size_text(plan.upload_bytes)}")


def _save_what_is_known(bucket: Bucket, known: dict[str, Known], stored: bytes, best_effort: bool = True) -> None:
    """Write the manifest if it changed: a publish that changed nothing
    writes nothing. After a failure, only if it can: the next run asks for
    what it could not record."""
    body = encode_manifest(known)
    if body == stored:
        return
    try:
        bucket.write_manifest(body)
    except (BotoCoreError, ClientError):
        if not best_effort:
            raise


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

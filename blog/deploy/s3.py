"""An S3-compatible bucket (AWS, MinIO, R2, Spaces, B2...) as a publish
target, through boto3.

Credentials come from boto3's standard chain (environment, shared files,
instance roles), never from site.toml, and are never printed. Retries with
exponential backoff are botocore's "standard" mode; ``AWS_MAX_ATTEMPTS``
sets how many attempts it makes.

The remote is compared with the output by MD5. A single-part upload's ETag
is its MD5, a multipart upload's is not, so every object also carries its
MD5 in its metadata (``x-amz-meta-md5``). So that a publish need not ask for
every object's headers, the target keeps a small manifest object beside the
site (``.blog-publish.json.gz``): for each object, the ETag it had when this
command last saw it, with its headers (and its MD5 where the ETag is not).
Only objects whose listed ETag differs from the manifest's (written by an
interrupted run, or by another tool) are asked for with HEAD.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from .headers import Headers
from .plan import RemoteFile, Upload
from .targets import PublishTarget

MANIFEST = ".blog-publish.json.gz"
MANIFEST_VERSION = 1
MD5_METADATA = "md5"
# Hex digits of each ETag the manifest keeps: a 1 in 4 billion chance of
# taking another's object for ours.
ETAG_PREFIX = 8
# Files from this size on are uploaded in parts (S3's smallest part is 5 MiB).
MULTIPART_THRESHOLD = 64 * 1024 * 1024
# DeleteObjects takes at most this many keys a request.
DELETE_BATCH = 1000


@dataclass(frozen=True)
class Known:
    """What the manifest says of one object: valid while its ETag is ``etag``."""

    etag: str
    md5: str
    headers: Headers


class Bucket:
    """The objects under one target's prefix, named by their site paths."""

    def __init__(self, target: PublishTarget, multipart_threshold: int = MULTIPART_THRESHOLD) -> None:
        self.target = target
        self.name = target.location
        self.prefix = target.path
        # Checksums only where S3 requires them: many S3-compatible stores
        # refuse the newer default ones. Each upload carries Content-MD5.
        config = Config(
            retries={"mode": "standard"},
            max_pool_connections=max(10, target.jobs * 2),
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = boto3.session.Session()
        self.client = session.client(
            "s3", endpoint_url=target.endpoint or None, region_name=target.region or None, config=config
        )
        chunk = max(multipart_threshold, 5 * 1024 * 1024)
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=chunk, use_threads=False
        )

    @property
    def manifest_key(self) -> str:
        return self.prefix + MANIFEST

    def listing(self) -> dict[str, tuple[str, int]]:
        """Site path -> (ETag, size) of every object under the prefix."""
        found = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                key = item["Key"]
                if key == self.manifest_key or key.endswith("/"):
                    continue
                found[key[len(self.prefix) :]] = (item["ETag"].strip('"'), item["Size"])
        return found

    def head(self, relative: str) -> tuple[str, RemoteFile]:
        """The object's ETag, and its MD5 (from our metadata, or a single-part ETag) and headers."""
        answer = self.client.head_object(Bucket=self.name, Key=self.prefix + relative)
        etag = answer["ETag"].strip('"')
        md5 = answer.get("Metadata", {}).get(MD5_METADATA) or (etag if "-" not in etag else None)
        headers = Headers(answer.get("ContentType", ""), answer.get("CacheControl", ""))
        return etag, RemoteFile(md5, headers, answer.get("ContentLength", 0))

    def put(self, upload: Upload) -> str:
        """Upload one file with its headers and MD5; its new ETag."""
        file = upload.file
        extra = {
            "ContentType": file.headers.content_type,
            "CacheControl": file.headers.cache_control,
            "Metadata": {MD5_METADATA: file.md5},
        }
        key = self.prefix + file.relative
        if file.size >= self.transfer.multipart_threshold:
            self.client.upload_file(str(file.path), self.name, key, ExtraArgs=extra, Config=self.transfer)
            return self.client.head_object(Bucket=self.name, Key=key)["ETag"].strip('"')
        body = file.path.read_bytes()
        digest = base64.b64encode(bytes.fromhex(file.md5)).decode()
        answer = self.client.put_object(Bucket=self.name, Key=key, Body=body, ContentMD5=digest, **extra)
        return answer["ETag"].strip('"')

    def delete(self, relatives: list[str]) -> None:
        for start in range(0, len(relatives), DELETE_BATCH):
            batch = relatives[start : start + DELETE_BATCH]
            objects = [{"Key": self.prefix + relative} for relative in batch]
            answer = self.client.delete_objects(Bucket=self.name, Delete={"Objects": objects, "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise OSError(f"could not delete {first['Key']}: {first.get('Message', first.get('Code'))}")

    def read_manifest(self) -> bytes:
        """The manifest as stored (b"" if there is none)."""
        try:
            return self.client.get_object(Bucket=self.name, Key=self.manifest_key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return b""

    def write_manifest(self, body: bytes) -> None:
        self.client.put_object(
            Bucket=self.name,
            Key=self.manifest_key,
            Body=body,
            ContentType="application/gzip",
            CacheControl="no-store",
        )


def encode_manifest(known: dict[str, Known]) -> bytes:
    """The manifest's bytes. It is written after every publish that changed
    something, so it is kept small: per object, the start of its ETag (enough
    to notice that another hand replaced it), its headers as an index into a
    table, and its MD5 only where the ETag is not the MD5 (multipart uploads)."""
    table: dict[Headers, int] = {}
    files = {}
    for path, entry in sorted(known.items()):
        index = table.setdefault(entry.headers, len(table))
        files[path] = [entry.etag[:ETAG_PREFIX], index] + ([entry.md5] if entry.md5 != entry.etag else [])
    data = {"version": MANIFEST_VERSION, "headers": [list(headers) for headers in table], "files": files}
    return gzip.compress(json.dumps(data, separators=(",", ":")).encode(), mtime=0)


def decode_manifest(body: bytes, listing: dict[str, tuple[str, int]]) -> dict[str, Known]:
    """What the manifest knows of the objects listed with the ETag it recorded."""
    try:
        data = json.loads(gzip.decompress(body)) if body else {}
    except (OSError, ValueError):
        return {}  # unreadable: every object is asked for instead
    if data.get("version") != MANIFEST_VERSION:
        return {}
    headers = [Headers(*pair) for pair in data["headers"]]
    known = {}
    for path, (etag_start, index, *md5) in data["files"].items():
        listed = listing.get(path)
        if listed and listed[0].startswith(etag_start):
            known[path] = Known(listed[0], md5[0] if md5 else listed[0], headers[index])
    return known


class Distribution:
    """A CloudFront distribution in front of the bucket."""

    def __init__(self, target: PublishTarget) -> None:
        config = Config(retries={"mode": "standard"})
        self.id = target.cdn
        self.client = boto3.session.Session().client(
            "cloudfront", endpoint_url=target.cdn_endpoint or None, region_name=target.region or None, config=config
        )

    def invalidate(self, paths: list[str], reference: str) -> str:
        batch = {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": reference}
        answer = self.client.create_invalidation(DistributionId=self.id, InvalidationBatch=batch)
        return answer["Invalidation"]["Id"]

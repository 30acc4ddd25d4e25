"""``manage.py publish`` to an S3 bucket: moto's standalone server on
127.0.0.1 (S3 and CloudFront), behind a proxy that counts the requests."""

from __future__ import annotations

import hashlib
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from .conftest import ROOT
from .html_tree import parse_html
from .publish_sites import EDITED_POST, publish_command, publish_config, run_publish, site_files
from .s3_server import AWS_ENV, S3Server

BASE_PATH = "/sub/path/"
ORIGIN = "https://example.org"
_bucket_numbers = count()
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def server():
    running = S3Server()
    yield running
    running.close()


@pytest.fixture
def sites(publish_sites):
    return publish_sites


@pytest.fixture
def distribution(server) -> str:
    answer = server.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": f"test-{next(_bucket_numbers)}",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "bucket",
                        "DomainName": "site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "bucket",
                "ViewerProtocolPolicy": "allow-all",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )
    return answer["Distribution"]["Id"]


class Target:
    """A fresh bucket, and a publish of an output folder to it."""

    def __init__(self, server: S3Server, root, extra: str = "") -> None:
        self.server = server
        self.bucket = f"site-{next(_bucket_numbers)}"
        self.prefix = "blog/"
        server.client("s3").create_bucket(Bucket=self.bucket)
        table = f'[publish.test]\nurl = "s3://{self.bucket}/{self.prefix}"\nendpoint = "{server.url}"\n{extra}'
        self.content = publish_config(root / "content", table)
        self.cache = root / "cache"

    def publish(self, output, *args: str):
        self.server.log.clear()
        return run_publish(self.content, output, self.cache, "test", *args, env=AWS_ENV)

    def objects(self) -> dict[str, str]:
        """Site path -> MD5 of the bytes stored, read back from the server."""
        s3 = self.server.client("s3")
        found = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                relative = item["Key"][len(self.prefix) :]
                if relative != ".blog-publish.json.gz":
                    body = s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                    found[relative] = hashlib.md5(body).hexdigest()
        return found

    def put_paths(self) -> list[str]:
        """Site paths PUT by the last publish, in the order the server got them."""
        start = f"/{self.bucket}/{self.prefix}"
        paths = [unquote(r.path.split("?")[0]) for r in self.server.log.requests if r.method == "PUT"]
        return [path[len(start) :] for path in paths if not path.endswith(".blog-publish.json.gz")]

    def writes(self) -> int:
        """PUTs, DELETEs and POSTs (DeleteObjects is a POST) of the last publish."""
        return sum(self.server.log.count(method) for method in ("PUT", "DELETE", "POST"))


@pytest.fixture
def target(server, tmp_path):
    return Target(server, tmp_path)


def test_first_publish_uploads_everything(target, sites):
    done = target.publish(sites.first)
    assert done.returncode == 0, done.stderr
    local = site_files(sites.first)
    assert target.objects() == local
    assert sorted(target.put_paths()) == sorted(local)
    assert f"uploaded {len(local)} files" in done.stdout


def test_a_publish_with_nothing_changed_writes_nothing(target, sites):
    assert target.publish(sites.first).returncode == 0
    again = target.publish(sites.first)
    assert again.returncode == 0, again.stderr
    assert target.writes() == 0, target.server.log.requests
    assert f"unchanged {len(site_files(sites.first))}" in again.stdout


def test_an_edit_uploads_only_changed_files_and_invalidates_only_their_paths(server, tmp_path, sites, distribution):
    extra = f'cdn = "cloudfront:{distribution}"\ncdn_endpoint = "{server.url}"\n'
    target = Target(server, tmp_path, extra)
    assert target.publish(sites.first).returncode == 0
    done = target.publish(sites.edited)
    assert done.returncode == 0, done.stderr
    before, after = site_files(sites.first), site_files(sites.edited)
    changed = {path for path in after if before.get(path) != after[path]}
    assert any(path.endswith("hugo-style/index.html") for path in changed)
    assert set(target.put_paths()) == changed
    assert len(changed) < len(after) / 2
    assert target.objects() == after

    cloudfront = server.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    assert len(listed) == 1  # the first publish created files only: nothing to invalidate
    paths = cloudfront.get_invalidation(DistributionId=distribution, Id=listed[0]["Id"])["Invalidation"]
    paths = set(paths["InvalidationBatch"]["Paths"]["Items"])
    # Cached copies of files changed or deleted (an edit renames some of Pagefind's index files).
    existed = {path for path in changed if path in before} | (set(before) - set(after))
    expected = {BASE_PATH + path for path in existed}
    expected |= {BASE_PATH + path.removesuffix("index.html") for path in existed if path.endswith("index.html")}
    assert {unquote(path) for path in paths} == expected
    assert f"invalidated {len(paths)} paths" in done.stdout


def test_a_deleted_post_is_deleted_remotely_unless_there_are_more_than_max_deletes(target, sites):
    assert target.publish(sites.first).returncode == 0
    gone = set(site_files(sites.first)) - set(site_files(sites.deleted))
    assert gone

    refused = target.publish(sites.deleted, "--max-deletes", str(len(gone) - 1))
    assert refused.returncode == 1
    assert f"{len(gone)} remote files are not in the output folder" in refused.stderr
    assert "deleted none" in refused.stderr
    assert set(target.objects()) == set(site_files(sites.first)) | set(site_files(sites.deleted))

    done = target.publish(sites.deleted)
    assert done.returncode == 0, done.stderr
    assert target.objects() == site_files(sites.deleted)
    assert f"deleted {len(gone)}" in done.stdout


def test_content_type_and_cache_control_are_read_back_from_the_server(target, sites):
    assert target.publish(sites.first).returncode == 0
    s3 = target.server.client("s3")
    local = site_files(sites.first)
    hashed_css = next(path for path in local if path.startswith("static/css/site.") and path.count(".") == 2)

    def head(relative):
        return s3.head_object(Bucket=target.bucket, Key=target.prefix + relative)

    page = head("index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=60, must-revalidate"
    css = head(hashed_css)
    assert css["ContentType"] == "text/css; charset=utf-8"
    assert css["CacheControl"] == "public, max-age=31536000, immutable"
    assert head("rss.xml")["ContentType"] == "application/rss+xml; charset=utf-8"
    assert head("atom.xml")["ContentType"] == "application/atom+xml; charset=utf-8"
    assert head("sitemap.xml")["ContentType"] == "application/xml; charset=utf-8"
    image = head("images/diagram.png")
    assert (image["ContentType"], image["CacheControl"]) == ("image/png", "public, max-age=3600")
    assert image["Metadata"]["md5"] == local["images/diagram.png"]


def test_a_changed_header_rule_uploads_the_files_it_changes(server, tmp_path, sites):
    target = Target(server, tmp_path)
    assert target.publish(sites.first).returncode == 0
    rule = '[publish.test.headers]\n"images/*" = { cache_control = "public, max-age=600" }\n'
    target.content.joinpath("site.toml").write_text(
        target.content.joinpath("site.toml").read_text() + rule, encoding="utf-8"
    )
    done = target.publish(sites.first)
    assert done.returncode == 0, done.stderr
    images = {path for path in site_files(sites.first) if path.startswith("images/")}
    assert set(target.put_paths()) == images
    head = server.client("s3").head_object(Bucket=target.bucket, Key="blog/images/diagram.png")
    assert head["CacheControl"] == "public, max-age=600"
    forced = target.publish(sites.first, "--force")
    assert sorted(target.put_paths()) == sorted(site_files(sites.first)), forced.stderr


def _references(output, relative: str) -> set[str]:
    """The site files a page names in href/src attributes, parsed here with
    the tests' own HTML parser (not the publisher's link extractor)."""
    document = parse_html((output / relative).read_text(encoding="utf-8"))
    base = ORIGIN + BASE_PATH + relative.removesuffix("index.html")
    found = set()
    for element in document.iter():
        for name in ("href", "src"):
            value = element.get(name)
            if not value:
                continue
            parts = urlsplit(urljoin(base, value))
            if parts.netloc != "example.org" or not parts.path.startswith(BASE_PATH):
                continue
            path = unquote(parts.path[len(BASE_PATH) :])
            found.add(path + "index.html" if path == "" or path.endswith("/") else path)
    return found


def _assets_before_pages(output, puts: list[str]) -> None:
    """No page was PUT before an asset (a file that is not a page) it names
    that this publish PUT too."""
    position = {path: number for number, path in enumerate(puts)}
    checked = 0
    for path in puts:
        if path.endswith(".html"):
            for asset in _references(output, path):
                if asset in position and not asset.endswith((".html", ".xml")):
                    assert position[asset] < position[path], f"{path} was uploaded before {asset}"
                    checked += 1
    assert checked, "no page named an uploaded asset: the check proved nothing"


def test_no_page_is_uploaded_before_an_asset_it_references(target, sites):
    assert target.publish(sites.first).returncode == 0
    puts = target.put_paths()
    _assets_before_pages(sites.first, puts)
    # The pages that name every new page come last.
    assert set(puts[-2:]) == {"index.html", "sitemap.xml"}


def test_a_publish_stopped_halfway_is_finished_by_the_next_run(target, sites):
    """The storage goes away after half the uploads: the proxy stops
    listening, as the network would. moto itself keeps running, because its
    objects live in its memory and would be lost with it, so the server
    state the next run compares with is what the interrupted run left."""
    total = len(site_files(sites.first))
    target.server.proxy.stop_after_puts(total // 2)
    try:
        stopped = target.publish(sites.first)
    finally:
        target.server.proxy.restart()
    assert stopped.returncode == 1
    assert "Run publish again to finish" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    left = target.objects()
    assert 0 < len(left) < total
    # What the interrupted run left has no page that names a missing asset.
    _no_page_without_its_assets(sites.first, left)

    finished = target.publish(sites.first)
    assert finished.returncode == 0, finished.stderr
    assert target.objects() == site_files(sites.first)
    assert len(target.put_paths()) == total - len(left)


def _no_page_without_its_assets(output, left: dict[str, str]) -> None:
    """Every page on the remote has there every asset it names."""
    local = site_files(output)
    for page in (path for path in left if path.endswith(".html")):
        missing = {
            asset
            for asset in _references(output, page)
            if not asset.endswith((".html", ".xml")) and asset not in left and asset in local
        }
        assert not missing, f"{page} is on the remote without {missing}"


@contextmanager
def _ctrl_c_reaches_children() -> Iterator[None]:
    """A process started with SIGINT ignored (a shell's background job, nohup)
    passes that on to its children, and Python then never turns the signal
    into KeyboardInterrupt. At a terminal, Ctrl-C reaches the publish; so it
    must here, however the tests were started."""
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_a_publish_interrupted_by_a_signal_is_finished_by_the_next_run(target, sites, signal_number):
    """Uploads are slowed down (each PUT waits at the proxy) so that the
    signal arrives while some of the site is uploaded and some is not: half a
    second each leaves seconds between the tenth PUT and the last."""
    log = target.server.log
    log.clear()
    log.put_delay = 0.5
    command, env = publish_command(target.content, sites.first, target.cache, "test", env=AWS_ENV)
    with _ctrl_c_reaches_children():
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    try:
        deadline = time.monotonic() + 120
        while log.puts < 10 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal_number)
        _out, err = process.communicate(timeout=120)
    finally:
        log.put_delay = 0.0
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    if signal_number == signal.SIGINT:
        assert process.returncode == 130, err
        assert "interrupted" in err and "Run publish again to finish" in err
    left = target.objects()
    assert 0 < len(left) < len(site_files(sites.first))
    _no_page_without_its_assets(sites.first, left)

    finished = target.publish(sites.first)
    assert finished.returncode == 0, finished.stderr
    assert target.objects() == site_files(sites.first)


def test_dropped_connections_are_retried(target, sites):
    """botocore's standard retries, with backoff: three PUTs lose their
    connection, and with three attempts each the publish still completes."""
    target.server.log.drop_puts, target.server.log.dropped = 3, 0
    done = run_publish(target.content, sites.first, target.cache, "test", env={**AWS_ENV, "AWS_MAX_ATTEMPTS": "3"})
    assert done.returncode == 0, done.stderr
    assert target.server.log.dropped == 3
    assert target.objects() == site_files(sites.first)


def test_dry_run_changes_nothing_on_the_server(target, sites):
    done = target.publish(sites.first, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert target.writes() == 0
    assert target.objects() == {}
    local = site_files(sites.first)
    said = [line for line in done.stdout.splitlines() if line.startswith("upload ")]
    assert len(said) == len(local)
    assert f"would upload {len(local)} files" in done.stdout
    assert target.publish(sites.first).returncode == 0
    again = target.publish(sites.edited, "--dry-run")
    assert target.writes() == 0
    assert any(line.startswith("upload (changed") and EDITED_POST not in line for line in again.stdout.splitlines())
    assert target.objects() == local


def test_objects_known_only_from_the_server_are_compared_by_their_stored_md5(target, sites):
    """Without the manifest (a bucket filled by an older run, or another
    machine), each object's MD5 and headers are read back with HEAD."""
    assert target.publish(sites.first).returncode == 0
    target.server.client("s3").delete_object(Bucket=target.bucket, Key="blog/.blog-publish.json.gz")
    again = target.publish(sites.first)
    assert again.returncode == 0, again.stderr
    assert target.put_paths() == []
    assert target.server.log.count("HEAD") == len(site_files(sites.first))


def test_credentials_are_never_printed(target, sites):
    done = target.publish(sites.first, "--dry-run")
    for value in (AWS_ENV["AWS_SECRET_ACCESS_KEY"], AWS_ENV["AWS_ACCESS_KEY_ID"], AWS_ENV["AWS_SESSION_TOKEN"]):
        assert value not in done.stdout + done.stderr


def test_missing_credentials_are_a_clear_error(target, sites):
    env = {**AWS_ENV, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""}
    done = run_publish(target.content, sites.first, target.cache, "test", env=env)
    assert done.returncode == 1
    assert "no AWS credentials found" in done.stderr


def test_a_file_uploaded_in_parts_is_compared_by_the_md5_in_its_metadata(target, sites, tmp_path, monkeypatch):
    """Run in this process, with a part size S3 allows (5 MiB) and a file of
    6 MiB, so that the upload is multipart and its ETag is not its MD5."""
    from blog.deploy.publish_s3 import publish_s3
    from blog.deploy.s3 import Bucket
    from blog.deploy.targets import parse_publish_targets
    from blog.siteconfig import parse_site_config

    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    output = tmp_path / "output"
    shutil.copytree(sites.first, output)
    big = random.Random(6).randbytes(6 * 1024 * 1024)
    (output / "images" / "big.bin").write_bytes(big)
    text = (target.content / "site.toml").read_text()
    site, publish_target = parse_site_config(text), parse_publish_targets(text)[0]["test"]

    def publish():
        target.server.log.clear()
        return publish_s3(site, publish_target, output, bucket=Bucket(publish_target, multipart_threshold=5 * MiB))

    assert publish().uploaded == len(site_files(output))
    head = target.server.client("s3").head_object(Bucket=target.bucket, Key="blog/images/big.bin")
    assert head["ETag"].strip('"').endswith("-2")
    assert head["Metadata"]["md5"] == hashlib.md5(big).hexdigest()
    again = publish()
    assert (again.uploaded, target.writes()) == (0, 0)
    # Without the manifest, the MD5 is read back from the object's metadata.
    target.server.client("s3").delete_object(Bucket=target.bucket, Key="blog/.blog-publish.json.gz")
    assert publish().uploaded == 0
    assert target.put_paths() == []


def test_more_changed_paths_than_cdn_max_paths_invalidate_the_whole_site(server, tmp_path, sites, distribution):
    extra = f'cdn = "cloudfront:{distribution}"\ncdn_endpoint = "{server.url}"\ncdn_max_paths = 1\n'
    target = Target(server, tmp_path, extra)
    assert target.publish(sites.first).returncode == 0
    done = target.publish(sites.edited)
    assert done.returncode == 0, done.stderr
    assert "more than cdn_max_paths 1: invalidating the whole site (/sub/path/*) instead" in done.stderr
    cloudfront = server.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    batch = cloudfront.get_invalidation(DistributionId=distribution, Id=listed[0]["Id"])["Invalidation"]
    assert batch["InvalidationBatch"]["Paths"]["Items"] == ["/sub/path/*"]
    assert "invalidated 1 paths" in done.stdout

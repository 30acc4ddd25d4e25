"""The [publish.<name>] tables of site.toml (blog/siteconfig.py), and the
errors ``manage.py publish`` gives for bad ones, naming site.toml."""

from __future__ import annotations

from blog.deploy.targets import HeaderRule, parse_publish_targets

from .publish_sites import publish_config, run_publish


def test_s3_and_git_targets_are_read():
    targets, problems = parse_publish_targets(
        """
title = "x"
[publish.production]
url = "s3://my-bucket/blog"
endpoint = "https://account.r2.cloudflarestorage.com"
region = "auto"
cdn = "cloudfront:E123ABC"
[publish.production.headers]
"fonts/*" = { cache_control = "public, max-age=31536000, immutable" }

[publish.pages]
url = "git:../my-site.git"
"""
    )
    assert problems == []
    production, pages = targets["production"], targets["pages"]
    assert (production.kind, production.location, production.path) == ("s3", "my-bucket", "blog/")
    assert production.cdn == "E123ABC" and production.region == "auto"
    assert production.headers == (HeaderRule("fonts/*", cache_control="public, max-age=31536000, immutable"),)
    assert (pages.kind, pages.location, pages.path) == ("git", "../my-site.git", "gh-pages")


def test_a_bucket_root_has_no_prefix():
    targets, _ = parse_publish_targets('[publish.x]\nurl = "s3://bucket"\n')
    assert targets["x"].path == ""


def test_every_bad_table_is_reported_with_its_line():
    text = """title = "x"

[publish.a]
url = "ftp://host/"

[publish.b]
url = "s3://bucket/"
bucket_name = "oops"

[publish.c]
url = "s3://bucket/"
endpoint = "localhost:9000"

[publish.d]
url = "git:repo.git"
cdn = "cloudfront:E1"
"""
    targets, problems = parse_publish_targets(text)
    assert targets == {}
    found = {problem.line: problem.message for problem in problems}
    assert "neither s3:// nor git:" in found[3]
    assert "unknown key 'bucket_name'" in found[6]
    assert "endpoint 'localhost:9000' is not an http(s) URL" in found[10]
    assert "unknown key 'cdn'" in found[14]


def test_the_command_names_site_toml_and_publishes_nothing(tmp_path):
    content = publish_config(tmp_path / "content", '[publish.x]\nurl = "s3://bucket/"\nsecret_key = "no"\n')
    output = tmp_path / "output"
    output.mkdir()
    done = run_publish(content, output, tmp_path / "cache", "x")
    assert done.returncode == 1
    line = next(line for line in done.stderr.splitlines() if "unknown key" in line)
    assert line.startswith(f"{content / 'site.toml'}:") or "site.toml:" in line
    assert "nothing was published" in done.stderr


def test_an_unknown_target_names_the_ones_there_are(tmp_path):
    content = publish_config(tmp_path / "content", '[publish.a]\nurl = "git:a.git"\n[publish.b]\nurl = "git:b.git"\n')
    done = run_publish(content, tmp_path, tmp_path / "cache", "c")
    assert done.returncode == 1 and "has no target 'c'; it has: a, b" in done.stderr
    done = run_publish(content, tmp_path, tmp_path / "cache")
    assert done.returncode == 1 and "several targets; say which: a, b" in done.stderr

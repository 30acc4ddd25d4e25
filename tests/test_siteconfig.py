"""blog/siteconfig.py: site.toml, checked, with the base URL's parts."""

from __future__ import annotations

import tomllib

import pytest

from blog.content.sources import read_site
from blog.errors import ContentError
from blog.siteconfig import (
    SiteConfig,
    activate_site,
    active_site,
    parse_site_config,
    serve_under_base_path,
    url_prefix,
)

from .conftest import SITE_FIXTURE


def test_fixture_site_toml():
    config = read_site(SITE_FIXTURE)
    with (SITE_FIXTURE / "site.toml").open("rb") as file:
        raw = tomllib.load(file)
    for key, value in raw.items():
        assert getattr(config, key) == value
    assert config.origin == "https://example.org"
    assert config.base_path == "/sub/path/"
    # Outside the build, reverse() gives paths at "/" (the preview serves
    # there); absolute() still gives the published URL under base_url's path.
    assert config.absolute("/about/") == "https://example.org/sub/path/about/"
    assert config.zone.key == "Europe/Stockholm"


def test_every_key_is_optional(tmp_path):
    assert read_site(tmp_path) == SiteConfig()
    assert parse_site_config("") == SiteConfig()


def test_a_byte_order_mark_is_ignored(tmp_path):
    (tmp_path / "site.toml").write_bytes('\ufefftitle = "Bom"\n'.encode())
    assert read_site(tmp_path).title == "Bom"


def test_unknown_keys_are_ignored():
    assert parse_site_config('theme_color = "red"\ntitle = "T"') == SiteConfig(title="T")


@pytest.mark.parametrize(
    ("base_url", "base_path", "origin"),
    [
        ("https://example.org/", "/", "https://example.org"),
        ("https://example.org", "/", "https://example.org"),
        ("https://example.org/blog", "/blog/", "https://example.org"),
        ("http://127.0.0.1:8000/a/b/", "/a/b/", "http://127.0.0.1:8000"),
    ],
)
def test_base_path_and_origin(base_url, base_path, origin):
    config = parse_site_config(f'base_url = "{base_url}"')
    assert config.base_path == base_path
    assert config.origin == origin


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('title = "x"\nposts_per_page = "3"', 2, "posts_per_page must be a whole number"),
        ('title = "x"\n\nposts_per_page = true', 3, "posts_per_page must be a whole number"),
        ("title = 3", 1, "title must be a string"),
        ('title = "x"\ntime_zone = "Mars/Olympus"', 2, "unknown time_zone"),
        ('time_zone = "../../etc/passwd"', 1, "unknown time_zone"),
        ('base_url = "example.org"', 1, "base_url must be an absolute http(s) URL"),
        ('base_url = "ftp://example.org/"', 1, "base_url must be an absolute http(s) URL"),
        ('base_url = "https://example.org/?x=1"', 1, "base_url must be an absolute http(s) URL"),
        ("posts_per_page = 0", 1, "posts_per_page must be at least 1"),
        ('title = "x"\nbroken = \n', 2, "invalid TOML"),
        ('title = "x"\nsearch = "bing"', 2, "unknown search 'bing'"),
        ("search = true", 1, "search must be a string"),
    ],
)
def test_problems_name_their_line(text, line, words):
    with pytest.raises(ContentError) as caught:
        parse_site_config(text)
    assert words in caught.value.message
    assert caught.value.line == line


@pytest.mark.parametrize(
    ("text", "engine", "pagefind"),
    [
        # A new site searches itself out of the box.
        ("", "pagefind", True),
        # A site that set up Google's engine keeps it.
        ('google_cse_id = "0123:abc"', "google", False),
        ('google_cse_id = "0123:abc"\nsearch = "pagefind"', "pagefind", True),
        ('search = "google"', "google", False),
        ('search = "both"', "both", True),
    ],
)
def test_search_engine_defaults_to_pagefind_unless_google_is_set_up(text, engine, pagefind):
    config = parse_site_config(text)
    assert config.search_engine == engine
    assert config.uses_pagefind is pagefind


def test_an_unknown_search_engine_says_which_are_known():
    with pytest.raises(ContentError) as caught:
        parse_site_config('search = "Pagefind"')
    assert all(name in caught.value.hint for name in ('"pagefind"', '"google"', '"both"'))


def test_unknown_pygments_style_is_a_content_error():
    with pytest.raises(ContentError):
        parse_site_config('pygments_style = "no-such-style"')


def test_url_prefix_is_the_base_path_only_while_building():
    activate_site(parse_site_config('base_url = "https://example.org/sub/path/"'))
    try:
        assert url_prefix() == "/"
        serve_under_base_path(True)
        assert url_prefix() == "/sub/path/"
    finally:
        serve_under_base_path(False)
        activate_site(None)
    assert active_site() == SiteConfig()

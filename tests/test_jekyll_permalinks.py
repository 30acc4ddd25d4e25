"""The addresses a Jekyll site gave its posts (blog/content/jekyll_permalinks.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from blog.content.jekyll_permalinks import STYLES, jekyll_address, jekyll_permalink

DATE = dt.datetime(2013, 11, 2, 5, 7, 9)


@pytest.mark.parametrize(
    ("style", "categories", "address"),
    [
        ("date", [], "/2013/11/02/moving.html"),
        ("date", ["Ruby", "scripting"], "/ruby/scripting/2013/11/02/moving.html"),
        ("pretty", [], "/2013/11/02/moving/"),
        ("ordinal", ["notes"], "/notes/2013/306/moving.html"),
        ("none", [], "/moving.html"),
        ("/blog/:year/:i_month/:i_day/:title/", ["ignored"], "/blog/2013/11/2/moving/"),
        ("/:short_year/:hour:minute/:slug:output_ext", [], "/13/0507/moving.html"),
    ],
)
def test_jekyll_address_follows_the_style_or_template(style, categories, address):
    assert jekyll_address(STYLES.get(style, style), DATE, "moving", categories) == address


def test_the_style_comes_from_config_yml(tmp_path):
    assert jekyll_permalink(tmp_path) == ""  # not a Jekyll site
    (tmp_path / "_config.yml").write_text("title: Logbook\n")
    assert jekyll_permalink(tmp_path) == STYLES["date"]  # Jekyll's default
    (tmp_path / "_config.yml").write_text("permalink: pretty\n")
    assert jekyll_permalink(tmp_path) == STYLES["pretty"]
    (tmp_path / "_config.yml").write_text("permalink: /log/:title/\n")
    assert jekyll_permalink(tmp_path) == "/log/:title/"
    (tmp_path / "_config.yml").write_text("permalink: [broken\n")
    assert jekyll_permalink(tmp_path) == STYLES["date"]  # a convenience, never an error

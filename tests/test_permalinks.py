"""Post URLs, dates and aliases as Zola, Hugo and Jekyll let authors write them."""

from __future__ import annotations

import pytest

from blog.content.permalinks import alias_path, author_path, date_in_path
from blog.errors import ContentError


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("path", "2024/11/26/wasm-tier", ("2024/11/26/wasm-tier/", "")),
        ("path", "/notes/", ("notes/", "")),
        ("url", "/blog/plain-post.html", ("blog/plain-post/", "/blog/plain-post.html")),
        ("url", "/blog/old/index.html", ("blog/old/", "/blog/old/index.html")),
        ("permalink", "/2015/03/literal/", ("2015/03/literal/", "")),
        ("permalink", "/:year/:month/:title/", None),
    ],
)
def test_author_paths(key, value, expected):
    assert author_path(key, value) == expected


@pytest.mark.parametrize(
    "value", ["/", "https://elsewhere.example/x/", "//elsewhere.example/x", "a/../b", "a/./b", "a//b", "a?b", "a#b", 3]
)
def test_author_paths_that_are_not_paths_are_errors(value):
    with pytest.raises(ContentError):
        author_path("path", value)


@pytest.mark.parametrize(
    ("path", "date"),
    [
        ("2024/11/26/slug/", "2024-11-26"),
        ("2023/05/slug/", "2023-05-01"),
        ("notes/2023/05/x/", None),
        ("2024/x/", None),
    ],
)
def test_dates_in_paths(path, date):
    assert date_in_path(path) == date


@pytest.mark.parametrize(
    ("alias", "from_root", "expected"),
    [
        ("/old/name/", False, "/old/name/"),
        # Zola: from the site's root.
        ("2014/10/30/x.html", True, "/2014/10/30/x.html"),
        ("old/path", True, "/old/path"),
        # Hugo: from the folder the post's folder is in.
        ("old-name/", False, "/posts/old-name/"),
        ("old.html", False, "/posts/old.html"),
        ("../older/", False, "/older/"),
        ("./sibling", True, "/posts/sibling"),
    ],
)
def test_aliases(alias, from_root, expected):
    assert alias_path(alias, "posts/new-name/", from_root) == expected


@pytest.mark.parametrize("alias", ["https://elsewhere.example/x", "//elsewhere.example/x", "/a/../b", "/x?q=1", "/"])
def test_aliases_that_are_not_site_paths_are_errors(alias):
    with pytest.raises(ContentError):
        alias_path(alias, "posts/new-name/", True)

"""blog/paths.py: where a URL or an alias lands in the output folder."""

from __future__ import annotations

import pytest

from blog.paths import alias_file, output_file_for, served_file


@pytest.mark.parametrize(
    ("url_path", "file"),
    [
        ("/", "index.html"),
        ("", "index.html"),
        ("/tags/", "tags/index.html"),
        ("/2024/01/post/", "2024/01/post/index.html"),
        ("/rss.xml", "rss.xml"),
        ("/tags/python/rss.xml", "tags/python/rss.xml"),
        # Hosts decode the request path before looking for the file.
        ("/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/", "tags/日本語/index.html"),
        ("/a%20b/", "a b/index.html"),
    ],
)
def test_output_file_for(url_path, file):
    assert output_file_for(url_path) == file


@pytest.mark.parametrize(
    ("alias", "file"),
    [
        ("/old/", "old/index.html"),
        # Without the slash too, so links of either form keep working.
        ("/old", "old/index.html"),
        ("/2015/03/old-name/", "2015/03/old-name/index.html"),
        ("/old.html", "old.html"),
        ("/blog/post.php", "blog/post.php"),
        ("/v1.0/notes", "v1.0/notes/index.html"),
    ],
)
def test_alias_file(alias, file):
    assert alias_file(alias) == file


@pytest.mark.parametrize(
    ("target", "served"),
    [
        ("a/index.html", "a/index.html"),
        # A folder named without its slash: hosts serve its index.html.
        ("a", "a/index.html"),
        ("feed.xml", "feed.xml"),
        # A file beats a folder of the same name.
        ("both", "both"),
        ("gone", None),
        ("feed.xml/index.html", None),
    ],
)
def test_served_file(target, served):
    files = {"a/index.html", "feed.xml", "both", "both/index.html"}
    assert served_file(target, files) == served

"""What Pagefind reads of a page (blog/search_text.py): a change it may read
changes the digest; a change outside the marked content, in a stretch with
nothing it reads, does not."""

from __future__ import annotations

import pytest

from blog.search_text import indexed_digest, marked_elements

PAGE = b"""<!DOCTYPE html>
<html lang="en">
<head><title>Knots</title><meta name="description" content="On knots"></head>
<body>
<header><a href="/">Harbour Log</a><form data-pagefind-bundle="/pagefind/"></form></header>
<main>
<article class="post" data-pagefind-body>
  <h1 data-pagefind-meta="title">Knots</h1>
  <p>A bowline holds. <article>an inner article</article> still inside.</p>
</article>
<nav class="post-neighbours"><a rel="prev" href="/2024/01/tides/">Tides</a></nav>
<section class="related"><ul><li><a href="/2024/03/rope/">Rope</a></li></ul></section>
</main>
<footer><p>Kept by a keeper.</p></footer>
</body>
</html>
"""


def changed(old: bytes, new: bytes) -> bool:
    assert old in PAGE
    return indexed_digest(PAGE.replace(old, new)) != indexed_digest(PAGE)


def test_the_marked_element_is_found_with_elements_of_its_name_inside():
    [(start, end)] = marked_elements(PAGE)
    assert PAGE[start:end].startswith(b'<article class="post" data-pagefind-body>')
    assert PAGE[start:end].endswith(b"still inside.</p>\n</article>")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"A bowline holds.", b"A bowline slips."),  # the indexed text
        (b'data-pagefind-meta="title">Knots', b'data-pagefind-meta="title">Knots!'),
        (b'<html lang="en">', b'<html lang="fr">'),  # the language
        (b"<title>Knots</title>", b"<title>Knots and hitches</title>"),  # the head
        (b"<footer><p>", b'<footer><p data-pagefind-filter="keeper">'),  # a filter outside the content
        (b"<footer><p>", b'<footer><img src="/keeper.png"><p>'),  # an image Pagefind may take
    ],
)
def test_what_pagefind_may_read_changes_the_digest(old, new):
    assert changed(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"Tides</a>", b"Tide tables</a>"),  # a neighbour renamed
        (b'<li><a href="/2024/03/rope/">Rope</a></li>', b""),  # a related post gone
        (b"Kept by a keeper.", b"Kept by two keepers."),  # the footer
        (b"</body>", b"<!-- a template's comment --></body>"),
    ],
)
def test_what_it_does_not_read_leaves_the_digest(old, new):
    assert not changed(old, new)


def test_a_page_it_cannot_follow_is_read_whole():
    unclosed = PAGE.replace(b"</article>\n<nav", b"\n<nav")
    unclosed = unclosed.replace(b"<article>an inner article</article>", b"")
    assert marked_elements(unclosed) is None
    assert indexed_digest(unclosed) != indexed_digest(unclosed.replace(b"Kept by", b"Kept up by"))


def test_the_mark_written_as_text_is_not_an_element():
    page = PAGE.replace(b"A bowline holds.", b"Write &lt;main data-pagefind-body&gt; on the main element.")
    assert len(marked_elements(page)) == 1

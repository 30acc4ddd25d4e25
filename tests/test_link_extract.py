"""blog/build/links.extract: the links and ids the link check reads from a page."""

from __future__ import annotations

from blog.build.links import extract


def test_links_and_ids_in_either_quotes_and_any_case():
    page = b"""<html><body id="top">
    <a href="/a/">A</a> <A HREF='/b/?x=1&amp;y=2'>B</A>
    <img src = "/static/i.png" alt="">
    <h2 ID='intro'>Intro</h2> <p id="it&#39;s">quote</p>
    <a href="  /padded/  ">padded</a>
    <div data-href="/not-a-link/" data-id="not-an-id"></div>
    <a href="/a/">again</a>
    </body></html>"""
    found = extract(page)
    assert found.links == ["/a/", "/b/?x=1&y=2", "/padded/", "/static/i.png"]
    assert found.ids == ["intro", "it's", "top"]


def test_a_quote_of_the_other_kind_stays_in_the_value():
    found = extract(b"""<a href="/it's/">x</a><a href='/say-"hi"/'>y</a>""")
    assert found.links == ["/it's/", '/say-"hi"/']


def test_bytes_that_are_not_utf8_do_not_stop_the_check():
    assert extract(b'<a href="/caf\xe9/">x</a>').links == ["/caf\ufffd/"]


def test_every_candidate_of_a_srcset_is_a_link():
    page = b"""<picture><source type="image/webp" srcset="/i/a.480w.1.webp 480w, /i/a.960w.2.webp 960w">
    <img src="/i/a.png" srcset="../i/a.480w.3.png 480w,/i/a.png 2x"></picture>"""
    assert extract(page).links == ["../i/a.480w.3.png", "/i/a.480w.1.webp", "/i/a.960w.2.webp", "/i/a.png"]


def test_text_that_looks_like_an_attribute_is_no_link():
    # A code block showing a template: Pygments escapes the angle brackets,
    # not always the quotes, and splits the text into spans.
    page = b"""<pre><code>&lt;a href="<span class="p">{{</span> url <span class="p">}}</span>"&gt;
    &lt;img src="x.png"&gt; id="nope" <a  class="k" href="/real/" id='real'>x</a></code></pre>"""
    found = extract(page)
    assert found.links == ["/real/"]
    assert found.ids == ["real"]

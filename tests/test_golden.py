"""The whole fixture site against the committed expected tree (see tests/golden/).

After an intended change to the output, run ``make golden`` and review the diff."""

from __future__ import annotations

import shutil

import pytest

from .golden import EXPECTED, compare_trees, html_lines, logical_name, xml_lines


def test_built_site_matches_the_expected_tree(site_build):
    assert EXPECTED.is_dir(), "no expected tree: run `make golden`"
    differences = compare_trees(site_build.output)
    if differences:
        pytest.fail(
            "the built site differs from tests/golden/expected/ "
            "(run `make golden` if the change is intended):\n\n" + "\n\n".join(differences),
            pytrace=False,
        )


def test_a_changed_page_is_reported_with_a_diff(site_build, tmp_path):
    # Compared with the session's own build, so only the changes below differ.
    changed = tmp_path / "output"
    shutil.copytree(site_build.output, changed)
    page = changed / "about" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("About this site</h1>", "About that site</h1>"))
    (changed / "CNAME").unlink()
    (changed / "extra.txt").write_text("new")
    report = compare_trees(changed, site_build.output)
    assert report[0] == "missing from the build: CNAME"
    assert report[1] == "new in the build: extra.txt"
    diff = [line.replace(" ", "") for line in report[2].splitlines()]
    assert diff[:2] == ["---expected/about/index.html", "+++built/about/index.html"]
    assert diff.index("-'Aboutthissite'") + 1 == diff.index("+'Aboutthatsite'")
    assert len(report) == 3


def test_html_is_compared_by_structure_not_whitespace_or_attribute_order():
    assert html_lines('<p class="a" id="b">Hello   <em>you</em>\n</p>') == html_lines(
        '<p id="b" class="a">\n  Hello <em>you</em></p>'
    )
    assert html_lines("<p>Hello</p>") != html_lines("<p>Hello!</p>")
    assert html_lines("<pre>a\n  b</pre>") != html_lines("<pre>a\n b</pre>")
    assert html_lines('<link href="/sub/static/css/site.0123456789ab.css">') == html_lines(
        '<link href="/sub/static/css/site.ba9876543210.css">'
    )
    assert html_lines('<source srcset="/i/a.480w.0123456789.webp 480w, /i/a.960w.abcdef0123.webp 960w">') == html_lines(
        '<source srcset="/i/a.480w.9876543210.webp 480w, /i/a.960w.0123abcdef.webp 960w">'
    )


def test_xml_is_compared_by_element():
    assert xml_lines(b'<a x="1" y="2"> <b>t</b>\n</a>') == xml_lines(b'<a y="2" x="1"><b> t </b></a>')
    assert xml_lines(b"<a><b>t</b></a>") != xml_lines(b"<a><c>t</c></a>")


@pytest.mark.parametrize(
    ("name", "logical"),
    [
        ("static/css/site.7b982677307b.css", "static/css/site.css"),
        ("static/css/site.css", "static/css/site.css"),
        ("static/js/vendor.min.0123456789ab.js", "static/js/vendor.min.js"),
        # Outside static/, a name is never rewritten.
        ("images/photo.0123456789ab.png", "images/photo.0123456789ab.png"),
        # A resized copy of an image, by its width and format.
        ("images/photo.480w.0123456789.webp", "images/photo.480w.webp"),
    ],
)
def test_logical_name(name, logical):
    assert logical_name(name) == logical

"""A Jekyll site copied into content/ unchanged builds, under a sub-path,
with no broken links (tests/fixtures/jekyll/: _config.yml, _data/,
_includes/, {% link %}, {% post_url %} and single-digit-hour dates)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from .conftest import FIXTURES, fixture_base_url, run_build
from .site_links import Site

JEKYLL_FIXTURE = FIXTURES / "jekyll"
MARKER = "blog-source:"
# Links to other posts are stored as markers naming the source
# (internal_links.source_link), resolved to the posts' URLs as pages render.

FIRST_TIDE = "2010/07/first-tide/index.html"
MOVING = "2013/11/moving-the-log/index.html"
SPRING = "2014/03/spring-tides/index.html"
ABOUT = "about/index.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("jekyll")
    # --strict: a warning (an unknown tag, a broken link) fails the build.
    result = run_build(JEKYLL_FIXTURE, work / "output", work / "cache", "--strict")
    assert result.ok, result.process.stdout + result.process.stderr
    return Site(result.output, fixture_base_url(JEKYLL_FIXTURE))


def link_target(site: Site, page: str, href: str) -> str | None:
    """What a link in ``page`` leads to: the source it names while it is a
    marker, else the output file that serves it."""
    if href.startswith(MARKER):
        return href
    return site.file_for(urljoin(site.url_of(page), href))


def body_links(site: Site, page: str) -> dict[str, str]:
    """Link text -> href, in the post's body."""
    body = site.page(page).find("div", **{"class": "post-body"}) or site.page(page)
    return {a.text().strip(): a.get("href") for a in body.iter("a") if a.get("href")}


def test_single_digit_hour_dates_give_the_posts_their_addresses(built):
    for page in (FIRST_TIDE, MOVING, SPRING, ABOUT):
        assert (built.output / page).is_file(), page


def test_every_internal_link_of_every_page_leads_to_a_file(built):
    broken = []
    for page in built.files(".html"):
        for link in built.html_links(page):
            if built.is_internal(link.url) and built.file_for(link.url) is None:
                broken.append((page, link.url))
    assert broken == []


@pytest.mark.parametrize(
    ("page", "text", "source", "target"),
    [
        (MOVING, "the first table", "posts/2010-07-21-first-tide.md", FIRST_TIDE),
        (MOVING, "the spring tides", "posts/2014-03-02-spring-tides.md", SPRING),
        (MOVING, "about the boat", "pages/about.md", ABOUT),
        (SPRING, "moving the log", "posts/2013-11-22-moving-the-log.md#templates", MOVING),
    ],
)
def test_link_and_post_url_lead_to_the_posts_they_name(built, page, text, source, target):
    href = body_links(built, page)[text]
    assert link_target(built, page, href) == target


def test_no_marker_reaches_a_published_file(built):
    leftovers = [f for f in built.files() if MARKER.encode() in (built.output / f).read_bytes()]
    assert leftovers == []


@pytest.mark.parametrize(
    ("old", "post"),
    [
        # Jekyll's default style, "date": /:categories/:year/:month/:day/:title.html
        ("tides/2010/07/21/first-tide.html", FIRST_TIDE),
        ("2013/11/22/moving-the-log.html", MOVING),
        ("2014/03/02/spring-tides.html", SPRING),
    ],
)
def test_each_post_keeps_the_address_jekyll_gave_it(built, old, post):
    """The site's _config.yml sets no permalink: Jekyll's default style. The
    old address is a redirect page to the post's new one."""
    page = built.page(old)
    refresh = next(m for m in page.iter("meta") if m.get("http-equiv") == "refresh")
    assert built.file_for(refresh.get("content").split("url=", 1)[1]) == post


def test_data_includes_and_site_variables_are_rendered(built):
    first = built.page(FIRST_TIDE)
    assert "Ines Harbour wrote the first table aboard the Gannet." in first.text()
    assert "The deckhands were Rui and Marta." in first.text()
    card = first.find("div", **{"class": "boat-card"})
    assert " ".join(card.text().split()) == "Gannet, skippered by Ines Harbour first season"
    moving = built.page(MOVING)
    chart = moving.find("a", **{"class": "chart"})
    assert (chart.get("href"), chart.text()) == ("/tides/images/chart.svg", "the harbour chart")
    assert [img.get("src") for img in moving.iter("img") if "chart" in (img.get("src") or "")] == [
        "/tides/images/chart.svg"
    ]
    assert [li.text().strip() for li in moving.iter("li") if "is high" in li.text()] == [
        "Porto is high",
        "Peniche is high",
    ]
    about = built.page(ABOUT)
    assert "The log of Tide Tables, by Ines Harbour." in about.text()


def test_raw_and_highlight_behave_as_in_jekyll(built):
    codes = [pre.raw_text().strip() for pre in built.page(MOVING).iter("pre")]
    assert codes[0] == (
        '{% for post in site.posts %}<a href="{{ post.url | relative_url }}">{{ post.title }}</a>{% endfor %}'
    )
    assert codes[1] == 'puts "MOVING THE LOG"'


def test_jekyll_files_that_are_not_pages_are_not_published(built):
    published = set(built.files())
    assert not {f for f in published if f.startswith(("_data/", "_includes/")) or f == "_config.yml"}
    assert "images/chart.svg" in published


def test_the_post_sources_are_the_jekyll_originals():
    # The fixture is a Jekyll site as Jekyll reads it: nothing was rewritten for us.
    moving = (JEKYLL_FIXTURE / "posts" / "2013-11-22-moving-the-log.md").read_text(encoding="utf-8")
    assert "{% link en/news/_posts/2014-03-02-spring-tides.md %}" in moving

"""Pelican settings for the benchmark corpus: the default theme, and the same
pages our build makes (posts, paginated index and tag pages, tag feeds, site
feeds, archive, sitemap), with our page size and feed length."""

from pathlib import Path

AUTHOR = "Bench"
SITENAME = "Bench Blog"
SITEURL = "https://bench.example.org"
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archive/index.html"

# No authors on our side, so no author pages here. The default theme needs
# a category on every article, so Pelican keeps one ("posts", the folder)
# and writes its paginated pages: about 10% more pages than ours.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = "atom.xml"
FEED_ALL_RSS = "rss.xml"
TAG_FEED_RSS = "tags/{slug}/rss.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Pelican has no sitemap of its own; a direct template makes one.
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives", "sitemap"]
SITEMAP_SAVE_AS = "sitemap.xml"
THEME_TEMPLATES_OVERRIDES = [str(Path(__file__).resolve().parent / "templates")]

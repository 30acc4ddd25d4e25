"""sitemap.xml with absolute URLs from base_url, never the request host."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .series import every_series
from .site_index import site_index
from .siteconfig import active_site


class _SiteSitemap(Sitemap):
    def get_domain(self, site=None):
        return urlsplit(active_site().base_url).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(active_site().base_url).scheme


class PostSitemap(_SiteSitemap):
    def items(self):
        return site_index().posts

    def lastmod(self, post):
        return post.updated or post.date


class PageSitemap(_SiteSitemap):
    def items(self):
        return site_index().pages

    def lastmod(self, page):
        return page.updated or page.date


class SectionSitemap(_SiteSitemap):
    """The home page, archive and tag index; each changes with the newest post."""

    def items(self):
        return ["blog:index", "blog:archive", "blog:tags"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return site_index().last_change()


class TagSitemap(_SiteSitemap):
    def items(self):
        return site_index().tags

    def lastmod(self, tag):
        return site_index().last_change(tag.slug)


class SeriesSitemap(_SiteSitemap):
    """The series' pages, and their list when there is one."""

    def items(self):
        series = every_series()
        return [*(["blog:series_list"] if series else []), *series]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()

    def lastmod(self, item):
        parts = [part for series in every_series() for part in series.parts] if isinstance(item, str) else item.parts
        return _last_change(parts)


def _last_change(posts):
    """When a list of posts last changed: the latest date or update among them."""
    return max((post.updated or post.date for post in posts), default=None)


SITEMAPS = {
    "sections": SectionSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "tags": TagSitemap,
    "series": SeriesSitemap,
}

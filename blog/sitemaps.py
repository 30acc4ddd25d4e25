"""sitemap.xml with absolute URLs from base_url, never the request host."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Page, Post
from .siteconfig import active_site
from .views import tags_in_use


class _SiteSitemap(Sitemap):
    def get_domain(self, site=None):
        return urlsplit(active_site().base_url).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(active_site().base_url).scheme


class PostSitemap(_SiteSitemap):
    def items(self):
        return Post.objects.published()

    def lastmod(self, post):
        return post.updated or post.date


class PageSitemap(_SiteSitemap):
    def items(self):
        return Page.objects.all()

    def lastmod(self, page):
        return page.updated or page.date


class SectionSitemap(_SiteSitemap):
    """The home page, archive and tag index; each changes with the newest post."""

    def items(self):
        return ["blog:index", "blog:archive", "blog:tags"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        newest = Post.objects.published().first()
        return newest.updated or newest.date if newest else None


class TagSitemap(_SiteSitemap):
    def items(self):
        return tags_in_use()

    def lastmod(self, tag):
        newest = Post.objects.published().filter(tags=tag).first()
        return newest.updated or newest.date if newest else None


SITEMAPS = {
    "sections": SectionSitemap,
    "posts": PostSitemap,
    "pages": PageSitemap,
    "tags": TagSitemap,
}

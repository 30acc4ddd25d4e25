"""Every URL of the site, named, each with the generator django-distill uses
to find the pages to write. Generators only list what
``Post.objects.published()`` lets through."""

from __future__ import annotations

import math

import django_distill
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import feeds, views
from .redirects import netlify_redirects, nginx_redirects, redirect_files, wordpress_ids, wordpress_map
from .site_index import site_index
from .siteconfig import active_site
from .sitemaps import SITEMAPS

distill_path = django_distill.distill_path


def _extra_pages(count: int):
    """Page numbers 2..N of a list of ``count`` posts; page 1 is the list's own URL."""
    pages = max(1, math.ceil(count / active_site().posts_per_page))
    return range(2, pages + 1)


def index_pages():
    for number in _extra_pages(len(site_index().posts)):
        yield {"page": number}


def posts():
    for post in site_index().posts:
        yield {"post_path": post.path.removesuffix("/")}


def tags():
    for tag in site_index().tags:
        yield {"tag": tag.slug}


def tag_pages():
    for tag in site_index().tags:
        for number in _extra_pages(tag.count):
            yield {"tag": tag.slug, "page": number}


def series():
    for slug in site_index().series_slugs:
        yield {"slug": slug}


def series_index():
    """The list of series, on a site that has one."""
    if site_index().series_slugs:
        yield ()


def pages():
    for page in site_index().pages:
        yield {"slug": page.slug}


def aliases():
    for alias_path in site_index().alias_targets():
        yield {"alias_path": alias_path}


blog_patterns = [
    distill_path("", views.IndexView.as_view(), name="index"),
    distill_path("page/<int:page>/", views.IndexView.as_view(), name="index_page", distill_func=index_pages),
    distill_path("tags/", views.TagListView.as_view(), name="tags"),
    distill_path("tags/<str:tag>/", views.TagView.as_view(), name="tag", distill_func=tags),
    distill_path("tags/<str:tag>/page/<int:page>/", views.TagView.as_view(), name="tag_page", distill_func=tag_pages),
    distill_path("tags/<str:tag>/rss.xml", feeds.TagFeed(), name="tag_rss", distill_func=tags),
    distill_path("series/", views.SeriesListView.as_view(), name="series_list", distill_func=series_index),
    distill_path("series/<str:slug>/", views.SeriesView.as_view(), name="series", distill_func=series),
    distill_path("archive/", views.ArchiveView.as_view(), name="archive"),
    distill_path("search/", views.SearchView.as_view(), name="search"),
    distill_path("rss.xml", feeds.LatestPostsFeed(), name="rss"),
    distill_path("atom.xml", feeds.LatestPostsAtomFeed(), name="atom"),
    distill_path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    distill_path("robots.txt", views.robots_txt, name="robots"),
    distill_path("css/code.css", views.code_css, name="code_css"),
    distill_path("404.html", views.not_found, name="not_found", distill_status_codes=(404,)),
    # A post at a one-part path (Hugo's url = "/hello/") is served by the page
    # route's view, which hands it to the post view.
    distill_path("_redirects", netlify_redirects, name="netlify_redirects", distill_func=redirect_files),
    distill_path("nginx-redirects.conf", nginx_redirects, name="nginx_redirects", distill_func=redirect_files),
    distill_path("wordpress-ids.json", wordpress_ids, name="wordpress_ids", distill_func=wordpress_map),
    distill_path("<str:slug>/", views.PageView.as_view(), name="page", distill_func=pages),
    # A post's path is its author's (Zola's path, Hugo's url) or YYYY/MM/slug.
    distill_path("<path:post_path>/", views.PostView.as_view(), name="post", distill_func=posts),
    # Last: an alias may be any path no other route claims.
    distill_path("<path:alias_path>", views.alias_redirect, name="alias", distill_func=aliases),
]

urlpatterns = [path("", include((blog_patterns, "blog")))]

handler404 = views.not_found

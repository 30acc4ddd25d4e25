"""Thin views over the cached content. What is visible is decided once, by
``Post.objects.published()``; the site index holds its result for the views."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView

from . import reads
from .content.highlight_css import stylesheet, stylesheet_version
from .models import BODY_FIELDS, Page, Post
from .redirects import wordpress_map_url
from .series import every_series, series_named
from .site_index import site_index
from .siteconfig import active_site
from .templatetags.blog_tags import absolute, media_url


class ListedPosts(Sequence):
    """The site index's posts, all of them or those tagged ``tag``, as a list
    view's ``object_list``. Used whole (iterated, counted, indexed, in a
    template as ``view.object_list`` or ``paginator.object_list``), the whole
    list is what the page read; PostsPaginator asks the index for one page."""

    def __init__(self, tag: str | None = None) -> None:
        self.tag = tag

    def _all(self) -> list[Post]:
        index = site_index()
        return index.posts if self.tag is None else index.posts_tagged(self.tag)

    def __getitem__(self, position):
        return self._all()[position]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self):
        return iter(self._all())

    def __contains__(self, post) -> bool:
        return post in self._all()

    def __reversed__(self):
        return reversed(self._all())


class PostsPaginator(Paginator):
    """Django's Paginator over ListedPosts, whose pages read from the site
    index only what they show: their posts, the number of pages and, if a
    template asks, the number of posts. A page that read the whole list would
    be rendered again whenever any post came or went; so a post added in the
    middle of the list renders again only the pages after it."""

    @cached_property
    def count(self) -> int:
        return site_index().post_count(self.object_list.tag)

    @cached_property
    def num_pages(self) -> int:
        tag = self.object_list.tag
        return site_index().page_count(tag, self.per_page, self.orphans, self.allow_empty_first_page)

    def page(self, number):
        number = self.validate_number(number)
        posts = site_index().posts_on_page(self.object_list.tag, number, self.per_page, self.orphans)
        return self._get_page(posts, number, self)


class PaginatedPostsMixin:
    """Page N of a list of posts comes from the URL (/page/N/), never a query string."""

    page_kwarg = "page"
    context_object_name = "posts"
    paginator_class = PostsPaginator

    def get_paginate_by(self, queryset):
        return active_site().posts_per_page

    def get(self, request, *args, **kwargs):
        # Page 1 lives at the list's own URL; /page/1/ (and /page/0/) do not exist.
        if kwargs.get(self.page_kwarg, 2) < 2:
            raise Http404("Page 1 is the list's own address")
        return super().get(request, *args, **kwargs)


class IndexView(PaginatedPostsMixin, ListView):
    template_name = "blog/index.html"

    def get_queryset(self):
        return ListedPosts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = context["page_obj"].number
        context["page_title"] = active_site().title if number == 1 else f"Posts, page {number}"
        # Old WordPress links (/?p=N) land on the home page: its script sends them on.
        context["wordpress_map"] = wordpress_map_url() if number == 1 else ""
        return context


class TagView(PaginatedPostsMixin, ListView):
    template_name = "blog/tag_detail.html"

    def get_queryset(self):
        self.tag = site_index().tag(self.kwargs["tag"])
        if self.tag is None:
            raise Http404("No visible posts with this tag")
        return ListedPosts(self.tag.slug)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        number = context["page_obj"].number
        title = f"Posts tagged “{self.tag.name}”"
        context["page_title"] = title if number == 1 else f"{title}, page {number}"
        return context


class TagListView(ListView):
    template_name = "blog/tag_list.html"
    context_object_name = "tags"

    def get_queryset(self):
        return site_index().tags


class SeriesView(TemplateView):
    template_name = "blog/series_detail.html"

    def get_context_data(self, **kwargs):
        series = series_named(self.kwargs["slug"])
        if series is None:
            raise Http404("No visible posts in this series")
        return super().get_context_data(series=series, **kwargs)


class SeriesListView(TemplateView):
    template_name = "blog/series_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(all_series=every_series(), **kwargs)


class ArchiveView(TemplateView):
    template_name = "blog/archive.html"

    def get_context_data(self, **kwargs):
        index = site_index()
        return super().get_context_data(years=index.archive(), post_count=index.post_count(), **kwargs)


class PostView(DetailView):
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset=None):
        found = site_index().post_page(self.kwargs["post_path"] + "/")
        if found is None:
            raise Http404("No visible post at this address")
        listed, *self.neighbours = found
        return with_body(listed)

    def get_context_data(self, **kwargs):
        post = self.object
        previous_post, next_post, related_posts = self.neighbours
        return super().get_context_data(
            previous_post=previous_post,
            next_post=next_post,
            related_posts=related_posts,
            structured_data=blog_posting(post),
            disqus_settings=disqus_settings(post),
            **kwargs,
        )


def with_body(listed: Post) -> Post:
    """A copy of an index post (which has no body) with its body loaded.

    One plain SELECT: the ORM's query building costs more than the query
    itself, and the build does this once for every post."""
    post = copy.copy(listed)
    # Not a fact of its own: the body is part of the post's row, which the
    # page records when it reads the body (blog/reads/recorder.py).
    with reads.not_recorded(), connection.cursor() as cursor:
        columns = ", ".join(BODY_FIELDS)
        cursor.execute(f"SELECT {columns} FROM {Post._meta.db_table} WHERE id = %s", [listed.id])
        post.__dict__.update(zip(BODY_FIELDS, cursor.fetchone(), strict=True))
    return post


def blog_posting(post: Post) -> dict:
    """schema.org BlogPosting for the post's JSON-LD block."""
    site = active_site()
    url = absolute(post.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": post.date.astimezone(site.zone).isoformat(),
        "dateModified": (post.updated or post.date).astimezone(site.zone).isoformat(),
        "description": post.description,
        "keywords": [tag.name for tag in post.tag_list],
        "inLanguage": post.extra.get("lang") or site.language,
    }
    if site.author:
        data["author"] = {"@type": "Person", "name": site.author}
    if post.image:
        data["image"] = media_url(post.image)
    return data


def disqus_settings(post: Post) -> dict:
    """What the lazy Disqus loader needs; emitted with json_script, so no
    value can break out of the page."""
    return {
        "shortname": active_site().disqus_shortname,
        "url": absolute(post.get_absolute_url()),
        "identifier": post.disqus_identifier,
        "title": post.title,
    }


class PageView(DetailView):
    template_name = "blog/page.html"
    context_object_name = "page"

    def get_queryset(self):
        return Page.objects.published()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Not a page: a post whose path has one part (/hello/).
            return PostView.as_view()(request, post_path=kwargs["slug"])


class SearchView(TemplateView):
    template_name = "blog/search.html"


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def alias_redirect(request, alias_path: str):
    target = site_index().alias_target(alias_path)
    if target is None:
        raise Http404("No post or page has this alias")
    return render(request, "blog/redirect.html", {"post": target})


def code_css(request):
    site = active_site()
    styles = site.pygments_style, site.pygments_dark_style
    response = HttpResponse(stylesheet(*styles), content_type="text/css; charset=utf-8")
    if request.GET.get("v") == stylesheet_version(*styles):
        # Asked for by the URL of these very rules ({% code_css_url %}): the
        # browser may keep them, so the preview's reloads do not ask again.
        # (The build writes the body only; a host sets its own headers.)
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response

"""Thin views over the cached content. What is visible is decided once, by
``Post.objects.published()``."""

from __future__ import annotations

from itertools import groupby

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView, ListView, TemplateView

from .highlight_css import stylesheet
from .models import Page, Post, Tag
from .paths import alias_file
from .siteconfig import active_site
from .templatetags.blog_tags import absolute, media_url

# How many related posts a post shows at most.
RELATED_POSTS = 3


def published_posts():
    return Post.objects.published().prefetch_related("tags")


def tags_in_use():
    """Tags with at least one visible post, each with its count."""
    visible = Post.objects.published().values("pk")
    return Tag.objects.annotate(count=Count("posts", filter=Q(posts__in=visible))).filter(count__gt=0).order_by("slug")


class PaginatedPostsMixin:
    """Page N of a list of posts comes from the URL (/page/N/), never a query string."""

    page_kwarg = "page"

    def get_paginate_by(self, queryset):
        return active_site().posts_per_page


class IndexView(PaginatedPostsMixin, ListView):
    template_name = "blog/index.html"
    context_object_name = "posts"

    def get_queryset(self):
        return published_posts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = context["page_obj"].number
        context["page_title"] = active_site().title if number == 1 else f"Posts, page {number}"
        return context


class TagView(PaginatedPostsMixin, ListView):
    template_name = "blog/tag_detail.html"
    context_object_name = "posts"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["tag"])
        posts = published_posts().filter(tags=self.tag)
        if not posts.exists():
            raise Http404("No visible posts with this tag")
        return posts

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
        return tags_in_use()


class ArchiveView(TemplateView):
    template_name = "blog/archive.html"

    def get_context_data(self, **kwargs):
        posts = list(Post.objects.published().only("title", "slug", "date", "url_year", "url_month", "draft"))
        years = [
            (year, [(month, list(in_month)) for month, in_month in groupby(in_year, key=lambda p: p.url_month)])
            for year, in_year in groupby(posts, key=lambda p: p.url_year)
        ]
        return super().get_context_data(years=years, post_count=len(posts), **kwargs)


class PostView(DetailView):
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset=None):
        return get_object_or_404(
            published_posts(),
            url_year=self.kwargs["year"],
            url_month=self.kwargs["month"],
            slug=self.kwargs["slug"],
        )

    def get_context_data(self, **kwargs):
        post = self.object
        visible = Post.objects.published()
        # Lists run newest first; "previous" is the older neighbour.
        older = visible.filter(Q(date__lt=post.date) | Q(date=post.date, slug__gt=post.slug)).first()
        newer = (
            visible.filter(Q(date__gt=post.date) | Q(date=post.date, slug__lt=post.slug))
            .order_by("date", "-slug")
            .first()
        )
        return super().get_context_data(
            previous_post=older,
            next_post=newer,
            related_posts=related_posts(post),
            structured_data=blog_posting(post),
            disqus_settings=disqus_settings(post),
            **kwargs,
        )


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
        "keywords": [tag.name for tag in post.tags.all()],
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


def related_posts(post: Post) -> list[Post]:
    """Up to RELATED_POSTS visible posts sharing the most tags with ``post``."""
    tag_ids = [tag.pk for tag in post.tags.all()]
    if not tag_ids:
        return []
    return list(
        Post.objects.published()
        .exclude(pk=post.pk)
        .filter(tags__in=tag_ids)
        .annotate(shared=Count("tags"))
        .order_by("-shared", "-date", "slug")[:RELATED_POSTS]
    )


class PageView(DetailView):
    template_name = "blog/page.html"
    context_object_name = "page"
    model = Page


class SearchView(TemplateView):
    template_name = "blog/search.html"


def robots_txt(request):
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def alias_redirect(request, alias_path: str):
    for post in Post.objects.published().exclude(aliases=[]).only("aliases", "slug", "url_year", "url_month", "title"):
        if any(alias_file(alias) == alias_path for alias in post.aliases):
            return render(request, "blog/redirect.html", {"post": post})
    raise Http404("No post has this alias")


def code_css(request):
    site = active_site()
    return HttpResponse(
        stylesheet(site.pygments_style, site.pygments_dark_style), content_type="text/css; charset=utf-8"
    )

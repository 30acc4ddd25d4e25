"""RSS 2.0 and Atom 1.0 feeds with full post content."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from . import reads
from .content.html_text import absolute_links
from .models import Post
from .site_index import site_index
from .siteconfig import active_site

# How many of the newest posts a feed carries.
FEED_LENGTH = 20
# An empty feed must not take today's date: builds are reproducible.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _Rss(Rss201rev2Feed):
    def latest_post_date(self):
        return super().latest_post_date() if self.items else _EPOCH


class _Atom(Atom1Feed):
    """Atom with the whole post in <content> and the summary in <summary>."""

    def latest_post_date(self):
        return super().latest_post_date() if self.items else _EPOCH

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def _full_posts(listed: list[Post]) -> list[Post]:
    """The index holds posts without their bodies; feeds carry whole posts."""
    # Not a fact of its own: the bodies are part of the posts' rows, which
    # the feed records when it reads them (blog/reads/recorder.py).
    with reads.not_recorded():
        bodies = Post.objects.in_bulk([post.pk for post in listed])
    full = []
    for post in listed:
        whole = bodies[post.pk]
        whole.tag_list = post.tag_list
        full.append(whole)
    return full


class LatestPostsFeed(Feed):
    feed_type = _Rss

    def title(self):
        return active_site().title

    def description(self):
        return active_site().description or active_site().title

    def link(self):
        return active_site().absolute(reverse("blog:index"))

    def feed_url(self):
        return active_site().absolute(reverse("blog:rss"))

    def author_name(self):
        return active_site().author or None

    def items(self):
        return _full_posts(site_index().posts[:FEED_LENGTH])

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return absolute_links(post.body, self.item_link(post))

    def item_link(self, post):
        return active_site().absolute(post.get_absolute_url())

    def item_pubdate(self, post):
        return post.date

    def item_updateddate(self, post):
        return post.updated or post.date

    def item_categories(self, post):
        return [tag.name for tag in post.tag_list]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = _Atom

    def feed_url(self):
        return active_site().absolute(reverse("blog:atom"))

    def subtitle(self):
        return active_site().description or None

    def item_description(self, post):
        return absolute_links(post.summary, self.item_link(post))

    def item_extra_kwargs(self, post):
        return {"content": absolute_links(post.body, self.item_link(post))}


class TagFeed(LatestPostsFeed):
    def get_object(self, request, tag):
        found = site_index().tag(tag)
        if found is None:
            raise Http404("No visible posts with this tag")
        return found

    def title(self, tag):
        return f"{active_site().title}: {tag.name}"

    def link(self, tag):
        return active_site().absolute(tag.get_absolute_url())

    def feed_url(self, tag):
        return active_site().absolute(reverse("blog:tag_rss", args=[tag.slug]))

    def items(self, tag):
        return _full_posts(site_index().posts_tagged(tag.slug)[:FEED_LENGTH])

"""Series: posts that name the same ``series`` in their front matter, read
in date order. What a page shows of a series comes from the site index's
recorded lookups and the parts' own fields, so a part added, removed or
re-dated reaches every page that shows the series (docs/incremental.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .models import Post
from .site_index import site_index


@dataclass(frozen=True)
class Series:
    slug: str
    # The visible parts, oldest first.
    parts: list[Post]
    # The part number (from 1) of the post a page shows; 0 on the series' own pages.
    number: int = 0

    @property
    def name(self) -> str:
        """The name as the first part writes it."""
        return self.parts[0].series

    @property
    def count(self) -> int:
        return len(self.parts)

    def get_absolute_url(self) -> str:
        return reverse("blog:series", args=[self.slug])


def series_named(slug: str) -> Series | None:
    """The series ``slug``, or None when it has no visible post."""
    parts = site_index().series(slug)
    return Series(slug, parts) if parts else None


def series_of(post: Post) -> Series | None:
    """The series ``post`` is a part of, with its part number; None for a post in none."""
    slug = post.series_slug
    if not slug:
        return None
    parts = site_index().series(slug)
    # Compared by id, which is not a recorded field: which parts there are,
    # in order, is the lookup's recorded result.
    number = next((number for number, part in enumerate(parts, 1) if part.id == post.id), 0)
    return Series(slug, parts, number) if number else None


def every_series() -> list[Series]:
    """Every series with a visible post, by slug."""
    index = site_index()
    return [Series(slug, index.series(slug)) for slug in index.series_slugs]

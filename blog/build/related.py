"""Each post's related posts, worked out again only where they may have changed."""

from __future__ import annotations

from django.db import transaction

from ..models import CacheEntry
from ..site_index import RELATED_POSTS, SiteIndex
from .fingerprints import code_fingerprint

# The last build's answer: each post's related posts, as positions in the list
# of posts, with the code and the index's holdings it was worked out with.
RELATED_ENTRY = "related"
# The posts that answer was worked out for, as [source, tags] pairs: read only
# when the holdings changed, to work out again just what may have changed.
RELATED_POSTS_ENTRY = "related_posts"


def related_posts(index: SiteIndex) -> None:
    """Work out every visible post's related posts, and have ``index`` serve
    them: counting them for every post costs 0.3 s at 10,000 posts and 3.3 s
    at 50,000 (SiteIndex.count_every_related), so the last build's answer is
    kept where it holds.

    The answer is made of the posts' order and tags, all in the index's
    holdings (SiteIndex.holdings): with the same holdings and the same code it
    is the last build's. Otherwise a post's related posts change only when an
    older post sharing one of its tags comes, goes, moves in the list or
    changes its tags, or when the post's own tags change; posts are named by
    their source file here, which stays the same when a post is re-read."""
    code, holdings = code_fingerprint(), index.holdings()
    stored = CacheEntry.read(RELATED_ENTRY)
    if not isinstance(stored, dict) or stored.get("code") != code or not isinstance(stored.get("related"), list):
        stored = None  # written by other code
    if stored and stored.get("holdings") == holdings:
        # 0.1 s at 50,000 posts to find out otherwise, on every build.
        index.remember_related(stored["related"])
        return
    posts = index.posts
    # Read past the recorded fields: this runs over every post.
    current = [
        [post.__dict__["source"], [tag.__dict__["slug"] for tag in post.__dict__["_tag_list"]]] for post in posts
    ]
    stored_posts = CacheEntry.read(RELATED_POSTS_ENTRY) if stored else None
    if stored_posts == current:
        positions = stored["related"]
    else:
        previous = None
        if stored and isinstance(stored_posts, list) and len(stored_posts) == len(stored["related"]):
            sources = [source for source, _tags in stored_posts]
            previous = {
                "posts": stored_posts,
                "related": {
                    source: [sources[o] for o in others]
                    for source, others in zip(sources, stored["related"], strict=True)
                },
            }
        positions = _update_related(index, previous, current)
    # Both or neither: the positions are of that list.
    with transaction.atomic():
        CacheEntry.write(RELATED_ENTRY, {"code": code, "holdings": holdings, "related": positions})
        if stored_posts != current:
            CacheEntry.write(RELATED_POSTS_ENTRY, current)
    index.remember_related(positions)


def _update_related(index: SiteIndex, stored: dict | None, current: list) -> list[list[int]]:
    """Related posts for ``current`` (source, tags) pairs, as positions in
    the index's posts: from the stored answer for the last build's list where
    that is exact, counted afresh elsewhere. Only older posts rank, so a post
    added as the newest, as a new post usually is, changes no other post's."""
    old_tags = dict(stored["posts"]) if stored and "posts" in stored else {}
    new_tags = dict(current)
    kept = [source for source, tags in current if old_tags.get(source) == tags]
    kept_set = set(kept)
    if not old_tags or [source for source, _tags in stored["posts"] if source in kept_set] != kept:
        # No stored answer, or a post moved past another (a new date): which
        # posts are older than which changed, so count everything.
        return index.count_every_related()
    gone = set(old_tags) - kept_set
    position = {source: number for number, (source, _tags) in enumerate(current)}
    # Posts that share a tag with an arrival: it may now rank among theirs.
    arrivals_by_tag: dict[str, list[str]] = {}
    for source, tags in current:
        if source not in kept_set:
            for tag in tags:
                arrivals_by_tag.setdefault(tag, []).append(source)
    related = []
    for post in index.posts:
        source = post.source
        previous = stored["related"].get(source)
        if previous is None or source not in kept_set or any(other in gone for other in previous):
            related.append([position[other.source] for other in index.count_related(post)])
            continue
        own = position[source]
        tags = set(new_tags[source])
        arrivals = {other for tag in tags for other in arrivals_by_tag.get(tag, ()) if position[other] > own}
        if not arrivals:
            related.append([position[other] for other in previous])
            continue
        # The new top few are among the old top few and the older arrivals.
        candidates = arrivals.union(previous)
        ranked = sorted(candidates, key=lambda other: (-len(tags.intersection(new_tags[other])), position[other]))
        related.append([position[other] for other in ranked[:RELATED_POSTS]])
    return related

"""Related posts worked out from the last build's answer must equal a full count."""

from __future__ import annotations

import random
import types

import pytest

from blog.build.related import _update_related
from blog.models import Post, Tag
from blog.site_index import RELATED_POSTS, SiteIndex

TAGS = [f"tag-{n}" for n in range(8)]


def make_index(entries: list[tuple[str, list[str]]]) -> SiteIndex:
    """An index of unsaved posts, newest first, named by source; pks differ per call
    as they do when the sync re-creates rows."""
    tags = {slug: Tag(pk=n + 1, slug=slug, name=slug) for n, slug in enumerate(TAGS)}
    posts = []
    base = random.randrange(1, 10**6)
    for number, (source, slugs) in enumerate(entries):
        post = Post(pk=base + number, source=source, slug=source)
        post.tag_list = [tags[slug] for slug in slugs]
        posts.append(post)
    used = sorted({slug for _s, slugs in entries for slug in slugs})
    for slug in used:
        tags[slug].count = sum(slug in slugs for _s, slugs in entries)
    return SiteIndex(posts=posts, tags=[tags[slug] for slug in used], pages=[])


def stored_answer(entries) -> dict:
    index = make_index(entries)
    return {
        "posts": [[source, slugs] for source, slugs in entries],
        "related": {post.source: [other.source for other in index.related(post)] for post in index.posts},
    }


def answers(index: SiteIndex, related: list[list[int]]) -> dict[str, list[str]]:
    """Each post's related posts by source, from their positions in the index."""
    posts = index.posts
    return {post.source: [posts[other].source for other in others] for post, others in zip(posts, related, strict=True)}


def mutate(rng: random.Random, entries: list, counter: types.SimpleNamespace) -> list:
    entries = [list(entry) for entry in entries]
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["add", "remove", "retag", "move", "add"])
        if kind == "add" or not entries:
            counter.n += 1
            entries.insert(rng.randint(0, len(entries)), [f"new-{counter.n}", rng.sample(TAGS, rng.randint(0, 3))])
        elif kind == "remove":
            entries.pop(rng.randrange(len(entries)))
        elif kind == "retag":
            entries[rng.randrange(len(entries))][1] = rng.sample(TAGS, rng.randint(0, 3))
        else:
            entries.insert(rng.randint(0, len(entries) - 1), entries.pop(rng.randrange(len(entries))))
    return [(source, slugs) for source, slugs in entries]


@pytest.mark.parametrize("seed", range(40))
def test_updated_related_posts_equal_a_full_count(seed):
    rng = random.Random(seed)
    entries = [(f"post-{n}", rng.sample(TAGS, rng.randint(0, 4))) for n in range(rng.randint(1, 40))]
    counter = types.SimpleNamespace(n=0)
    for _step in range(6):
        stored = stored_answer(entries)
        entries = mutate(rng, entries, counter)
        index = make_index(entries)
        current = [[source, slugs] for source, slugs in entries]
        updated = answers(index, _update_related(index, stored, current))
        full = answers(index, index.count_every_related())
        assert updated == full
        assert full == {source: plainly_related(entries, source) for source, _tags in entries}


def plainly_related(entries: list[tuple[str, list[str]]], source: str) -> list[str]:
    """The definition, written plainly: the older posts (the later in
    ``entries``) sharing any of the post's tags, those sharing the most
    first, ties to the newest (the earlier in ``entries``)."""
    own = [other for other, _tags in entries].index(source)
    tags = set(dict(entries)[source])
    sharing = [
        (-len(tags.intersection(others)), number, other)
        for number, (other, others) in enumerate(entries)
        if number > own and tags.intersection(others)
    ]
    return [other for _shared, _number, other in sorted(sharing)][:RELATED_POSTS]


@pytest.mark.parametrize("seed", range(40))
def test_counted_related_posts_are_the_definitions(seed):
    """count_related ranks each post's older posts from the pairs of tags
    they share, and count_every_related ranks those of each set of tags once
    for all the posts that have it: both answer as the plain definition
    does, for posts with no tag, one, or all of them, and for any number of
    posts, many of them with the same tags."""
    rng = random.Random(seed)
    tag_sets = [rng.sample(TAGS, rng.choice([0, 1, 1, 2, 2, 3, 4, 8])) for _set in range(rng.randint(1, 12))]
    entries = [(f"post-{n}", rng.choice(tag_sets)) for n in range(rng.randint(1, 80))]
    index = make_index(entries)
    definition = {source: plainly_related(entries, source) for source, _tags in entries}
    counted = {post.source: [other.source for other in index.count_related(post)] for post in index.posts}
    assert counted == definition
    assert answers(index, index.count_every_related()) == definition


@pytest.mark.parametrize("answer_kept", [False, True])
def test_a_post_the_index_does_not_hold_has_related_posts(answer_kept):
    """A template tag may ask about a post the index leaves out (a draft the
    build hides, an unsaved post): it gets the index's posts sharing its tags,
    not an error."""
    x, y, z = TAGS[:3]
    index = make_index([("a", [x]), ("b", [x, y]), ("c", [z])])
    if answer_kept:
        index.remember_related([[1], [0], []])
    outside = Post(pk=10**7, source="draft", slug="draft")
    outside.tag_list = [tag for tag in index.tags if tag.slug in (x, y)]
    assert [post.source for post in index.related(outside)] == ["b", "a"]
    outside.pk = None
    assert [post.source for post in index.related(outside)] == ["b", "a"]


def test_an_added_post_joins_the_related_posts_of_newer_posts_sharing_its_tags(monkeypatch):
    x, y, z = TAGS[:3]
    entries = [("a", [x]), ("b", [x, y]), ("c", [z]), ("d", [y])]
    stored = stored_answer(entries)
    assert stored["related"] == {"a": ["b"], "b": ["d"], "c": [], "d": []}
    # Dated between b and c.
    entries = [("a", [x]), ("b", [x, y]), ("older", [x, y]), ("c", [z]), ("d", [y])]
    index = make_index(entries)
    counted = []
    full_count = SiteIndex.count_related
    monkeypatch.setattr(
        SiteIndex, "count_related", lambda self, post: counted.append(post.source) or full_count(self, post)
    )
    updated = answers(index, _update_related(index, stored, [[s, t] for s, t in entries]))
    assert updated == {"a": ["b", "older"], "b": ["older", "d"], "older": ["d"], "c": [], "d": []}
    # Only the new post is counted from scratch; the others are updated.
    assert counted == ["older"]


def test_a_post_added_as_the_newest_leaves_the_others_related_posts_as_they_were():
    """Only older posts rank: a new post, dated last, changes no other post's
    related posts, so its build leaves their pages alone."""
    x, y = TAGS[:2]
    entries = [("a", [x]), ("b", [x, y]), ("c", [y])]
    stored = stored_answer(entries)
    entries = [("newest", [x, y]), *entries]
    index = make_index(entries)
    updated = answers(index, _update_related(index, stored, [[s, t] for s, t in entries]))
    assert updated == {"newest": ["b", "a", "c"], **stored["related"]}


def test_the_last_builds_answer_is_not_used_by_other_code(site_db, monkeypatch):
    """The stored answer is the code's as much as the posts': code that ranks
    them otherwise (here, showing one post fewer) must not be served the
    answer of the code before it, though no post changed."""
    from blog.build import related
    from blog.site_index import load_index

    every = SiteIndex.count_every_related

    def related_by(code: str, count) -> dict[str, list[str]]:
        monkeypatch.setattr(related, "code_fingerprint", lambda: code)
        monkeypatch.setattr(SiteIndex, "count_every_related", count)
        index = load_index(holdings=True)
        related.related_posts(index)
        return {post.source: [other.source for other in index.related(post)] for post in index.posts}

    full = related_by("the code as it is", every)
    assert any(len(others) > 1 for others in full.values())
    fewer = related_by("code that shows one related post", lambda index: [others[:1] for others in every(index)])
    assert fewer == {source: others[:1] for source, others in full.items()}
    # And back: the first code's answer is worked out again, not the second's kept.
    assert related_by("the code as it is", every) == full


def test_the_stored_answer_follows_a_change_of_tags(site_db):
    """The last build's answer is served while the index holds what it held;
    a post's new tags change what it holds, and the answer is worked out again."""
    from blog.build import related
    from blog.models import PostTag
    from blog.site_index import load_index

    def served() -> tuple[SiteIndex, dict[str, list[str]]]:
        index = load_index(holdings=True)
        related.related_posts(index)
        return index, {post.source: [other.source for other in index.related(post)] for post in index.posts}

    def counted(index: SiteIndex) -> dict[str, list[str]]:
        return {post.source: [other.source for other in index.count_related(post)] for post in index.posts}

    index, before = served()
    assert before == counted(index)
    assert served()[1] == before
    # The newest post takes the tags of the oldest post that has any.
    newest = index.posts[0]
    oldest = next(post for post in reversed(index.posts) if post.tag_list and post is not newest)
    PostTag.objects.filter(post_id=newest.id).delete()
    PostTag.objects.bulk_create(
        PostTag(post_id=newest.id, tag=tag, label=tag.name, position=number)
        for number, tag in enumerate(oldest.tag_list)
    )
    index, after = served()
    assert after == counted(index)
    assert after != before

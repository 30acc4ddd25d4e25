"""blog/site_index.py: the posts it builds straight from rows are the ORM's posts."""

from __future__ import annotations

from blog.models import Post
from blog.site_index import BODY_FIELDS, listed_posts, load_index
from blog.visibility import Visibility, visible


def test_listed_posts_have_the_fields_the_orm_loads(site_db):
    orm = {post.pk: post for post in Post.objects.defer(*BODY_FIELDS)}
    fast = listed_posts(Post.objects.all())
    assert sorted(post.pk for post in fast) == sorted(orm)
    names = [field.attname for field in Post._meta.concrete_fields if field.attname not in BODY_FIELDS]
    # The fixture has what needs converting: dates with and without an
    # update, drafts, posts without comments, aliases and extra front matter.
    assert {post.updated is None for post in fast} == {True, False}
    assert {post.draft for post in fast} == {True, False}
    assert {post.comments for post in fast} == {True, False}
    assert any(post.aliases for post in fast) and any(post.extra for post in fast)
    for post in fast:
        expected = orm[post.pk]
        for name in names:
            # repr as well: page keys are digests of these values' reprs.
            assert repr(getattr(post, name)) == repr(getattr(expected, name)), name
            assert type(getattr(post, name)) is type(getattr(expected, name)), name
        assert post.get_deferred_fields() == set(BODY_FIELDS)


def test_a_listed_post_loads_its_body_when_asked(site_db):
    post = listed_posts(Post.objects.all())[0]
    assert post.body_html == Post.objects.get(pk=post.pk).body_html
    assert post.body_html.strip()


def test_the_index_holds_the_visible_posts_in_order(site_db):
    with visible(Visibility(drafts=False, future=False)):
        index = load_index()
        expected = list(Post.objects.published().values_list("pk", flat=True))
    assert [post.pk for post in index.posts] == expected
    assert not any(post.draft for post in index.posts)

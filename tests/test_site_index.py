"""blog/site_index.py: the posts it builds straight from rows are the ORM's posts, and its
holdings change exactly when what its lookups answer from may have."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import json
import sqlite3
from pathlib import Path

import pytest

from blog import visibility
from blog.build.plan import find_content_files
from blog.content.sources import list_content
from blog.models import NOT_INDEXED, Page, Post
from blog.reads import SCHEDULED_LOOKUP
from blog.reads.facts import CurrentFacts, _frozen
from blog.reads.values import identities
from blog.site_index import NOT_LOADED, WORDPRESS_ID, SiteIndex, listed_posts, load_index
from blog.siteconfig import activate_site
from blog.visibility import Visibility, visible

from .conftest import SITE_FIXTURE


def test_listed_posts_have_the_fields_the_orm_loads(site_db):
    # A time with microseconds, which SQLite stores with six more digits.
    first = Post.objects.order_by("pk").first()
    Post.objects.filter(pk=first.pk).update(updated=first.date.replace(microsecond=120034))
    orm = {post.pk: post for post in Post.objects.defer(*NOT_LOADED)}
    assert orm[first.pk].updated.microsecond == 120034
    fast = listed_posts(Post.objects.all())
    assert sorted(post.pk for post in fast) == sorted(orm)
    names = [field.attname for field in Post._meta.concrete_fields if field.attname not in NOT_LOADED]
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
        assert post.get_deferred_fields() == set(NOT_LOADED)


def test_a_listed_post_loads_its_body_when_asked(site_db):
    post = listed_posts(Post.objects.all())[0]
    assert post.body_html == Post.objects.get(pk=post.pk).body_html
    assert post.body_html.strip()


def test_the_builds_index_loads_what_pages_show_a_batch_at_a_time(site_db, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from blog import site_index

    monkeypatch.setattr(site_index, "SHOWN_BATCH", 2)
    orm = {post.pk: post for post in Post.objects.all()}
    with visible(Visibility(drafts=True, future=True)), site_index.pinned_index() as index:
        posts = index.posts
        assert len(posts) > 4
        for post in posts:
            assert post.get_deferred_fields() == set(NOT_LOADED + NOT_INDEXED)
        third = posts[2]
        with CaptureQueriesContext(connection) as first_read:
            title = third.title
        # One query for the batch, whichever field a page reads first.
        assert len(first_read) == 1
        assert title == orm[third.pk].title
        with CaptureQueriesContext(connection) as later_reads:
            for post in posts[2:4]:
                for name in NOT_INDEXED:
                    # repr as well: page keys are digests of these values' reprs.
                    assert repr(getattr(post, name)) == repr(getattr(orm[post.pk], name)), name
                    assert type(getattr(post, name)) is type(getattr(orm[post.pk], name)), name
        assert len(later_reads) == 0
        # The other batches are as they were, and a body is still a query of its own.
        assert "title" not in vars(posts[0]) and "title" not in vars(posts[4])
        with CaptureQueriesContext(connection) as body_read:
            assert third.body_html == orm[third.pk].body_html
        assert len(body_read) == 1
        # A post that is not the index's loads a deferred field as Django does.
        elsewhere = Post.objects.defer("title").get(pk=third.pk)
        assert elsewhere.title == title
        assert "title" not in vars(posts[0])


@pytest.mark.parametrize("drafts,future", [(False, False), (True, True)])
def test_sqlite_reads_every_listed_post_from_an_index_not_from_the_rows(site_db, drafts, future):
    """Post rows hold the bodies, which spread them over many pages: each
    query the index makes over every post must be answered from an index
    (``post_listing``, blog/models.py), the build's and the preview's alike.
    A column that the index loads and ``post_listing`` leaves out fails this."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with visible(Visibility(drafts=drafts, future=future)), CaptureQueriesContext(connection) as queries:
        earlier = load_index(holdings=True, shown_later=True)
        load_index(earlier=load_index(earlier=SiteIndex([], [], [])))
    assert earlier.posts
    listings = [query["sql"] for query in queries if 'FROM "blog_post"' in query["sql"] and "ORDER BY" in query["sql"]]
    # Not the few rows read by id, which SQLite finds each by its key, nor the
    # preview's first load, which reads every column: the rows themselves.
    over_every_post = [sql for sql in listings if " IN (" not in sql and "summary_html" not in sql]
    assert any('"index_digest"' in sql for sql in over_every_post)
    assert any('"row_digest"' in sql for sql in over_every_post)
    with connection.cursor() as cursor:
        for sql in over_every_post:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING COVERING INDEX" in plan, (sql, plan)


def test_the_index_holds_the_visible_posts_in_order(site_db):
    with visible(Visibility(drafts=False, future=False)):
        index = load_index()
        expected = list(Post.objects.published().values_list("pk", flat=True))
    assert [post.pk for post in index.posts] == expected
    assert not any(post.draft for post in index.posts)


def _holdings_after(content) -> str:
    """The holdings of the index of ``content``, synced as it is now."""
    from blog.content.sync import sync_content

    sync_content(content)
    with visible(Visibility(drafts=False, future=False)):
        return load_index(holdings=True).holdings()


@pytest.fixture
def synced_copy(copy_fixture, db):
    content = copy_fixture("site")
    yield content
    activate_site(None)


def test_an_edit_deep_in_a_body_leaves_the_holdings_as_they_were(synced_copy):
    # The build then passes every lookup without asking it again
    # (blog/reads/facts.py): the edit touched no field the index holds.
    post = synced_copy / "posts" / "pelican-post.md"
    before = _holdings_after(synced_copy)
    post.write_text(post.read_text(encoding="utf-8") + "\n\nOne more paragraph, far below the summary.\n")
    assert _holdings_after(synced_copy) == before


@pytest.mark.parametrize(
    "change",
    [
        # What the lookups answer from: a post's date (the order), its tags,
        # a new post.
        lambda content: _replace(content / "posts" / "pelican-post.md", "Date: 2024", "Date: 2011"),
        lambda content: _replace(content / "posts" / "pelican-post.md", "Tags: ", "Tags: lighthouses, "),
        lambda content: (content / "posts" / "new.md").write_text("---\ntitle: New\ndate: 2020-01-01\n---\nHello.\n"),
    ],
    ids=["date", "tags", "new post"],
)
def test_a_change_the_lookups_may_see_changes_the_holdings(synced_copy, change):
    before = _holdings_after(synced_copy)
    change(synced_copy)
    assert _holdings_after(synced_copy) != before


def test_a_tag_moved_from_one_post_to_another_changes_the_holdings(synced_copy):
    # Every tag keeps its name and its count: only which posts it lists
    # changes, which the posts' index digests carry.
    before = _holdings_after(synced_copy)
    with visible(Visibility(drafts=False, future=False)):
        tags_before = {(tag.slug, tag.name, tag.count) for tag in load_index().tags}
    _replace(synced_copy / "posts" / "pelican-post.md", "Tags: python, static sites", "Tags: static sites")
    _replace(synced_copy / "posts" / "no-comments.md", "tags: markdown, toc", "tags: markdown, toc, python")
    assert _holdings_after(synced_copy) != before
    with visible(Visibility(drafts=False, future=False)):
        assert {(tag.slug, tag.name, tag.count) for tag in load_index().tags} == tags_before


def test_a_new_title_and_summary_leave_the_holdings_as_they_were(synced_copy):
    # No lookup answers from them (NOT_INDEXED): the pages that show them
    # read them as fields of the post's row, and render again for that.
    before = _holdings_after(synced_copy)
    post = synced_copy / "posts" / "pelican-post.md"
    _replace(post, "Title: ", "Title: Retitled ")
    post.write_text(post.read_text(encoding="utf-8").replace("\n\n", "\n\nA new first sentence.\n\n", 1))
    assert _holdings_after(synced_copy) == before


def test_a_content_file_changes_the_holdings(synced_copy):
    from blog.content.sync import sync_content

    sync_content(synced_copy)
    with visible(Visibility(drafts=False, future=False)):
        index = load_index(holdings=True)
        index.use_content_files({"CNAME": synced_copy / "CNAME"})
        before = index.holdings()
        index.use_content_files({"CNAME": synced_copy / "CNAME", "x.txt": synced_copy / "x.txt"})
        assert index.holdings() != before


def test_an_index_made_of_handed_lists_never_matches_another():
    assert SiteIndex(posts=[], tags=[], pages=[]).holdings() != SiteIndex(posts=[], tags=[], pages=[]).holdings()


def test_an_index_loaded_without_its_holdings_never_matches_another(site_db):
    # The preview loads its index so: it never asks.
    with visible(Visibility(drafts=False, future=False)):
        assert load_index().holdings() != load_index().holdings()
        assert load_index(holdings=True).holdings() == load_index(holdings=True).holdings()


def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _another(value):
    """A value of the same kind as ``value``, and not equal to it."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(days=1)
    # Emptied, or filled: an alias or a WordPress ID gone or new.
    if isinstance(value, dict):
        return {} if value else {WORDPRESS_ID: 7}
    if isinstance(value, list):
        return [] if value else ["another"]
    assert value is None, f"no other value made for {value!r}"
    return dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_the_index_digest_covers_every_field_the_index_loads_but_those_no_lookup_reads(site_db):
    # The index's holdings are made of these digests (SiteIndex.holdings): a
    # field a lookup reads that the digest left out would let the build pass
    # lookups that answer differently now. The next test shows that no
    # lookup reads those of NOT_INDEXED.
    post = Post.objects.get(source=Post.objects.values_list("source", flat=True).first())
    before = post.digest_indexed()
    for field in Post._meta.concrete_fields:
        if field.primary_key:
            continue
        changed = copy.copy(post)
        changed.__dict__[field.attname] = _another(post.__dict__[field.attname])
        changes_digest = changed.digest_indexed() != before
        assert changes_digest == (field.attname not in NOT_LOADED + NOT_INDEXED), field.attname


def _as_plain(index: SiteIndex) -> tuple:
    """Everything an index holds, as plain values: each post's fields and tags
    in order, the tags with their counts, the pages."""
    posts = [
        (
            {name: value for name, value in post.__dict__.items() if name not in ("_state", "_tag_list")},
            [(tag.slug, tag.name) for tag in post.tag_list],
        )
        for post in index.posts
    ]
    tags = [(tag.slug, tag.name, tag.count) for tag in index.tags]
    pages = [page.source for page in index.pages]
    return posts, tags, pages


@pytest.fixture
def preview_copy(synced_copy):
    """A copy of the fixture site, and the way the preview reads it."""
    import blog.site_index

    # Not the index an earlier test left: its posts, reused for having the
    # same ids and rows, would carry that test's rendered summaries.
    blog.site_index._cached = None
    with visible(Visibility(drafts=True, future=True)):
        yield synced_copy
    blog.site_index._cached = None


# Changes an author saves, one after another, each over the one before.
SAVES = [
    ("a paragraph far below the summary", "pelican-post.md", lambda text: text + "\n\nOne more paragraph.\n"),
    ("the summary", "pelican-post.md", lambda text: text.replace("\n\n", "\n\nA new first sentence.\n\n", 1)),
    ("the title", "pelican-post.md", lambda text: text.replace("Title: ", "Title: Retitled ", 1)),
    ("the date", "pelican-post.md", lambda text: text.replace("Date: 2024", "Date: 2011", 1)),
    ("the tags", "pelican-post.md", lambda text: text.replace("Tags: ", "Tags: lighthouses, ", 1)),
    ("a draft", "draft.md", lambda text: text.replace("draft: true", "draft: false", 1)),
    ("a new post", "new.md", lambda text: "---\ntitle: New\ndate: 2020-01-01\ntags: [fresh]\n---\nHello.\n"),
    ("a post removed", "no-comments.md", None),
]


def test_an_index_loaded_again_is_the_index_loaded_from_nothing(preview_copy):
    """site_index() reuses the posts of the index it loaded before
    (reused_posts); after every save, what it holds is what a fresh load holds."""
    from blog.content.sync import sync_content
    from blog.site_index import site_index

    sync_content(preview_copy)
    first = site_index()
    for name, file, change in SAVES:
        path = preview_copy / "posts" / file
        if change is None:
            path.unlink()
        else:
            path.write_text(change(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8")
        sync_content(preview_copy)
        reloaded = site_index()
        assert reloaded is not first, name
        assert _as_plain(reloaded) == _as_plain(load_index()), name
        # The posts whose rows the save left alone were not read again.
        before = {post.source: post for post in first.posts}
        read_again = sorted(post.source for post in reloaded.posts if before.get(post.source) is not post)
        assert read_again == ([] if change is None else [f"posts/{file}"]), name
        first = reloaded


def test_a_body_a_page_loaded_on_an_index_post_is_read_again_after_a_save(preview_copy):
    """A reused post forgets what pages loaded on it (reused_posts)."""
    from blog.content.sync import sync_content
    from blog.site_index import site_index

    sync_content(preview_copy)
    path = preview_copy / "posts" / "pelican-post.md"
    (post,) = [post for post in site_index().posts if post.source == "posts/pelican-post.md"]
    assert "far below" not in post.body_html  # loaded on the index's own post, as a template would
    path.write_text(path.read_text(encoding="utf-8") + "\n\nA paragraph far below the summary.\n", encoding="utf-8")
    sync_content(preview_copy)
    (again,) = [post for post in site_index().posts if post.source == "posts/pelican-post.md"]
    assert "far below" in again.body_html


def _index_facts(cache: Path) -> dict[tuple, str]:
    """The site-index lookups a build's pages made, with what each found:
    key -> digest, as the build stored them (blog/reads/facts.py)."""
    with sqlite3.connect(cache / "blog.sqlite3") as db:
        rows = db.execute("SELECT key, digest FROM blog_fact").fetchall()
    facts = {_frozen(json.loads(key)): digest for key, digest in rows}
    # Whether a post is out yet is the clock's, not the index's (blog/reads/values.py).
    return {key: digest for key, digest in facts.items() if key[0] == "index" and key[1] != SCHEDULED_LOOKUP}


def _answers(site, keys) -> dict[tuple, str]:
    """What each lookup of ``keys`` finds in an index loaded now, as the build asks it."""
    index = load_index(holdings=True)
    index.use_content_files(find_content_files(SITE_FIXTURE, list_content(SITE_FIXTURE)).files)
    current = CurrentFacts(index, site, visibility.current())
    return {key: current.digest(key) for key in keys}


def _change_what_no_lookup_reads() -> None:
    """Give every field of NOT_INDEXED, of every post and page, another value."""
    for model in (Post, Page):
        names = [name for name in NOT_INDEXED if name in {field.attname for field in model._meta.concrete_fields}]
        for document in model.objects.all():
            for name in names:
                setattr(document, name, _another(getattr(document, name)))
            document.save()


def test_no_lookup_answers_from_a_field_left_out_of_the_index_digest(site_build, site_db):
    """NOT_INDEXED (blog/models.py): every lookup the fixture site's pages
    made finds what it found, once every one of those fields of every post
    and page is different. A lookup that read one would fail here: a build
    would trust its old answer after an edit that left the holdings as they
    were."""
    stored = _index_facts(site_build.cache)
    lookups = {key[1] for key in stored}
    # The fixture's pages ask the index for its lists, pages, neighbours,
    # tags, series, dates, files and redirects.
    asked = {"post_page", "posts_on_page", "pages", "tags", "series", "archive", "last_change", "has_url_path"}
    assert asked | {"alias_target", "has_wordpress_ids", "tag_count", "posts_tagged"} <= lookups
    # Asked of the fixture synced here, they find what the build's pages found.
    assert _answers(site_db.site, stored) == stored
    _change_what_no_lookup_reads()
    found = _answers(site_db.site, stored)
    assert [key for key in stored if found[key] != stored[key]] == []
    # The comparison sees a field a lookup does read: a post turned draft.
    Post.objects.filter(pk=load_index().posts[0].pk).update(draft=True)
    assert _answers(site_db.site, stored) != stored


def _lookups() -> set[str]:
    """Every lookup SiteIndex answers: each of its methods and properties that records its answer."""
    found = set()
    for name, member in vars(SiteIndex).items():
        function = member.fget if isinstance(member, property) else member
        if callable(function) and "_recorded(" in inspect.getsource(function):
            found.add(name)
    return found


def _questions(index: SiteIndex) -> list[tuple[str, tuple]]:
    """Every lookup, asked of everything the fixture site holds: (lookup, arguments),
    a post as ("post", its source). Each lookup needs its arguments here:
    a lookup added to SiteIndex without them fails the test below."""
    posts = [("post", post.source) for post in index.posts]
    paths = [post.path for post in index.posts]
    sources = [post.source for post in index.posts] + [page.source for page in index.pages] + ["posts/none.md"]
    tags = [tag.slug for tag in index.tags] + ["no-such-tag"]
    lists = [None, *tags]
    places = paths + [f"{page.slug}/" for page in index.pages] + [f"tags/{tag}/" for tag in tags] + ["nowhere/"]
    arguments = {
        "posts": [()],
        "tags": [()],
        "pages": [()],
        "series_slugs": [()],
        "archive": [()],
        "has_redirects": [()],
        "has_wordpress_ids": [()],
        "post_at": [(path,) for path in paths + ["nowhere/"]],
        "post_page": [(path,) for path in paths + ["nowhere/"]],
        "has_url_path": [(place,) for place in places],
        "document_from": [(source,) for source in sources],
        "post_from": [(source,) for source in sources],
        "tag": [(tag,) for tag in tags],
        "posts_tagged": [(tag,) for tag in tags],
        "post_count": [(tag,) for tag in lists],
        "last_change": [(tag,) for tag in lists],
        "page_count": [(tag, 2, orphans, True) for tag in lists for orphans in (0, 1)],
        "posts_on_page": [(tag, number, 2, 0) for tag in lists for number in (1, 2, 3, 9)],
        "series": [(slug,) for slug in [*index.series_slugs, "no-such-series"]],
        "older": [(post,) for post in posts],
        "newer": [(post,) for post in posts],
        "related": [(post,) for post in posts],
        "alias_target": [(alias,) for alias in [*index.alias_targets(), "no/such/index.html"]],
    }
    assert arguments.keys() == _lookups(), "give every lookup of SiteIndex its arguments here"
    return [(lookup, asked) for lookup, every in arguments.items() for asked in every]


def _every_answer(questions: list[tuple[str, tuple]]) -> dict[tuple, object]:
    """What an index loaded now answers to each question, as a page's fact records it."""
    index = load_index()
    index.use_content_files(find_content_files(SITE_FIXTURE, list_content(SITE_FIXTURE)).files)
    answers = {}
    for lookup, arguments in questions:
        resolved = [index.post_from(value[1]) if isinstance(value, tuple) else value for value in arguments]
        found = getattr(index, lookup)
        answers[lookup, arguments] = identities(found(*resolved) if callable(found) else found)
    return answers


def test_every_lookup_answers_as_it_did_when_only_fields_left_out_of_the_index_digest_change(site_db):
    """The test above asks the lookups the fixture's pages made; this one asks
    every lookup SiteIndex has, with every argument the fixture gives it."""
    with visible(Visibility(drafts=True, future=True)):
        questions = _questions(load_index())
        before = _every_answer(questions)
        # The fixture answers each lookup in more than one way.
        for lookup in _lookups():
            assert len({repr(before[key]) for key in before if key[0] == lookup}) > 1 or lookup in ONE_ANSWER, lookup
        _change_what_no_lookup_reads()
        after = _every_answer(questions)
    assert [key for key in questions if after[key] != before[key]] == []


# The lookups without arguments: one question, one answer.
ONE_ANSWER = {"posts", "tags", "pages", "series_slugs", "archive", "has_redirects", "has_wordpress_ids"}

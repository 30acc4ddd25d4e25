"""blog/reads/built_rows.py: the rows that changed since they were last
recorded (new, gone, or with another digest), found in SQL for the models
whose rows carry the sync's digest and in Python for tags."""

from __future__ import annotations

from blog.models import BuiltRow, Page, Post, Tag
from blog.reads import built_rows

MODELS = (Post, Page, Tag)


def subjects(model, identities) -> set[str]:
    return {f"{model._meta.label_lower} {identity}" for identity in identities}


def test_every_row_counts_as_changed_until_it_is_recorded(site_db):
    assert built_rows.changed(Post) == subjects(Post, Post.objects.values_list("source", flat=True))
    assert built_rows.changed(Tag) == subjects(Tag, Tag.objects.values_list("slug", flat=True))
    for model in MODELS:
        built_rows.record(model, built_rows.changed(model))
        assert built_rows.changed(model) == set()
    assert BuiltRow.objects.count() == sum(model.objects.count() for model in MODELS)


def test_the_rows_changed_added_or_gone_since_they_were_recorded_and_no_others(site_db):
    for model in MODELS:
        built_rows.record(model, built_rows.changed(model))
    edited, removed = Post.objects.all()[:2]
    Post.objects.filter(pk=edited.pk).update(row_digest="0" * 32)
    removed.delete()
    renamed, dropped = Tag.objects.all()[:2]
    Tag.objects.filter(pk=renamed.pk).update(name="Renamed")
    dropped.delete()
    Tag.objects.create(slug="brand-new", name="Brand new")

    assert built_rows.changed(Post) == subjects(Post, [edited.source, removed.source])
    assert built_rows.changed(Tag) == subjects(Tag, [renamed.slug, dropped.slug, "brand-new"])
    assert built_rows.changed(Page) == set()
    for model in MODELS:
        built_rows.record(model, built_rows.changed(model))
        assert built_rows.changed(model) == set()
    assert BuiltRow.objects.count() == sum(model.objects.count() for model in MODELS)


def test_forgetting_makes_every_row_new_again(site_db):
    for model in MODELS:
        built_rows.record(model, built_rows.changed(model))
    built_rows.forget()
    assert Page.objects.exists()
    assert built_rows.changed(Page) == subjects(Page, Page.objects.values_list("source", flat=True))

"""Migrations 0001 to 0015 in one: the tables as those leave them, made at once.

A new cache (a cold build, a first preview, every test that builds a site)
ran all fifteen, which copy the post and page tables again and again to put
new columns before the bodies: 0.31 s; this makes the same tables in 0.04 s.
A cache part of the way through them goes on with the old files, which stay
for that (Django's ``replaces``). The columns are in the order the old
migrations leave them, bodies last (SQLite reads a row's columns in order,
and the index's queries never read the bodies);
tests/test_migrations.py checks that both ways make the same schema.
"""

import django.db.models.deletion
from django.db import migrations, models


def _id():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))


def _document_head():
    """The columns posts and pages begin with."""
    return [
        _id(),
        ("source", models.CharField(max_length=1024, unique=True)),
        ("slug", models.CharField(max_length=255)),
        ("title", models.CharField(max_length=1000)),
        ("summary_html", models.TextField(blank=True)),
        ("description", models.TextField(blank=True)),
        ("image", models.CharField(blank=True, max_length=2048)),
        ("updated", models.DateTimeField(null=True)),
        ("extra", models.JSONField(default=dict)),
    ]


def _document_tail():
    """The columns posts and pages end with: the bodies last."""
    return [
        ("image_width", models.PositiveIntegerField(default=0)),
        ("image_height", models.PositiveIntegerField(default=0)),
        ("link_targets", models.JSONField(default=list)),
        ("rewrites_links", models.BooleanField(default=False)),
        ("index_digest", models.CharField(max_length=32)),
        ("body_html", models.TextField()),
        ("toc_html", models.TextField(blank=True)),
    ]


class Migration(migrations.Migration):
    replaces = [
        ("blog", "0001_initial"),
        ("blog", "0002_output_files"),
        ("blog", "0003_output_links"),
        ("blog", "0004_summary_fragments"),
        ("blog", "0005_bodies_last"),
        ("blog", "0006_facts"),
        ("blog", "0007_moving_in"),
        ("blog", "0008_fact_subject"),
        ("blog", "0009_fact_subject_index"),
        ("blog", "0010_listed_digest"),
        ("blog", "0011_fragment_source_index"),
        ("blog", "0012_listing_indexes"),
        ("blog", "0013_index_digest"),
        ("blog", "0014_listed_columns_indexed"),
        ("blog", "0015_built_rows"),
    ]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="BuiltRow",
            fields=[
                ("subject", models.TextField(primary_key=True, serialize=False)),
                ("digest", models.CharField(max_length=32)),
            ],
        ),
        migrations.CreateModel(
            name="CacheEntry",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("value", models.JSONField()),
            ],
        ),
        migrations.CreateModel(
            name="Fact",
            fields=[
                _id(),
                ("key", models.TextField()),
                ("digest", models.CharField(max_length=32)),
                ("subject", models.TextField(db_index=True, default="")),
            ],
            options={"unique_together": {("key", "digest")}},
        ),
        migrations.CreateModel(
            name="OutputFile",
            fields=[
                _id(),
                ("path", models.CharField(max_length=2048, unique=True)),
                ("key", models.CharField(max_length=64)),
                ("ids", models.JSONField(default=list)),
                ("links", models.JSONField(default=list)),
                ("reads", models.BinaryField(default=None, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="Page",
            fields=[
                *_document_head(),
                ("date", models.DateTimeField(null=True)),
                ("source_digest", models.CharField(max_length=64)),
                ("row_digest", models.CharField(max_length=32)),
                ("draft", models.BooleanField(default=False)),
                ("aliases", models.JSONField(default=list)),
                *_document_tail(),
            ],
            options={"ordering": ["slug"]},
        ),
        migrations.CreateModel(
            name="Post",
            fields=[
                *_document_head(),
                ("date", models.DateTimeField(db_index=True)),
                ("url_year", models.PositiveIntegerField()),
                ("url_month", models.PositiveSmallIntegerField()),
                ("draft", models.BooleanField(default=False)),
                ("comments", models.BooleanField(default=True)),
                ("disqus_identifier", models.CharField(max_length=1000)),
                ("reading_minutes", models.PositiveIntegerField(default=1)),
                ("aliases", models.JSONField(default=list)),
                ("source_digest", models.CharField(max_length=64)),
                ("row_digest", models.CharField(max_length=32)),
                ("path", models.CharField(max_length=2048)),
                ("series", models.CharField(blank=True, default="", max_length=1000)),
                ("series_slug", models.CharField(blank=True, default="", max_length=255)),
                *_document_tail(),
            ],
            options={"ordering": ["-date", "slug"]},
        ),
        migrations.CreateModel(
            name="SourceFile",
            fields=[
                _id(),
                ("path", models.CharField(max_length=1024, unique=True)),
                ("mtime_ns", models.BigIntegerField()),
                ("size", models.BigIntegerField()),
                ("digest", models.CharField(max_length=64)),
                ("warnings", models.JSONField(default=list)),
                ("images", models.JSONField(default=dict)),
                ("image_copies", models.JSONField(default=dict)),
                ("inputs", models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name="SummaryFragment",
            fields=[
                ("key", models.CharField(max_length=2048, primary_key=True, serialize=False)),
                ("html", models.TextField()),
                ("reads", models.BinaryField(default=b"")),
                ("source", models.CharField(db_index=True, default="", max_length=1024)),
            ],
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                _id(),
                ("slug", models.CharField(max_length=255, unique=True)),
                ("name", models.CharField(max_length=255)),
            ],
            options={"ordering": ["slug"]},
        ),
        migrations.CreateModel(
            name="PostTag",
            fields=[
                _id(),
                ("label", models.CharField(max_length=255)),
                ("position", models.PositiveSmallIntegerField()),
                ("post", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="blog.post")),
                ("tag", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="blog.tag")),
            ],
            options={"ordering": ["position"], "unique_together": {("post", "tag")}},
        ),
        migrations.AddField(
            model_name="post",
            name="tags",
            field=models.ManyToManyField(related_name="posts", through="blog.PostTag", to="blog.tag"),
        ),
        migrations.AddIndex(
            model_name="posttag",
            index=models.Index(fields=["post", "position", "tag"], name="posttag_order"),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=[
                    "-date",
                    "slug",
                    "draft",
                    "row_digest",
                    "index_digest",
                    "source",
                    "path",
                    "updated",
                    "url_year",
                    "url_month",
                    "extra",
                    "aliases",
                    "series_slug",
                ],
                name="post_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["source", "row_digest"], name="post_row_digest"),
        ),
    ]

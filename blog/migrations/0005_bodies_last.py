"""Move the rendered bodies to the end of each row, and store the digests the
build's page keys are made of.

SQLite stores a row's columns in order, and a body of several kilobytes spills
into overflow pages that must be walked to reach any column after it. Every
query over the posts (the site index, the visibility filter, the URL conflict
check) reads columns that came after ``body_html``, so it read every post's
HTML from disk: about 60 MB at 10,000 posts. With the bodies last, those
queries stop before them.

``source_digest`` and ``listed_digest`` are made when a document is stored, so
a build no longer reads every source file's row for its digest, nor keeps a
digest of every post's listed fields in one large cache entry.

The database is a cache: instead of copying the bodies across, the cached
content is dropped and the next build reads the content folder again.
"""

from django.db import migrations, models


def forget_content(apps, schema_editor):
    for name in ("PostTag", "Post", "Page", "Tag", "SourceFile", "CacheEntry"):
        apps.get_model("blog", name).objects.all().delete()


def text(**options):
    return models.TextField(default="", **options)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_summary_fragments"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="post", name="body_html"),
        migrations.RemoveField(model_name="post", name="toc_html"),
        migrations.RemoveField(model_name="page", name="body_html"),
        migrations.RemoveField(model_name="page", name="toc_html"),
        # Added in this order, the digests before the bodies: new columns go last.
        migrations.AddField(
            model_name="post",
            name="source_digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="page",
            name="source_digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="post",
            name="listed_digest",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(model_name="post", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="post", name="toc_html", field=text(blank=True), preserve_default=False),
        migrations.AddField(model_name="page", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="page", name="toc_html", field=text(blank=True), preserve_default=False),
    ]

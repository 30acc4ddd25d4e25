"""Each document stores ``listed_digest``, a digest of the columns the site
index loads, made when the content sync stores it. The index's holdings
(blog/site_index.py) are made of these instead of a digest of every loaded
row, which took 40 ms at 10,000 posts on every build.

Each stored fragment names its post's source (``SummaryFragment.source``), so
that the fragments of posts that are gone can be dropped in one statement: a
build no longer checks every stored fragment at its start
(blog/build/fragments.py).

The digest goes before the bodies, which stay the last columns (see 0005):
the bodies are dropped and added again after it. The database is a cache:
the cached content, pages, fragments and facts are dropped, and the next build
reads the content folder again.
"""

from django.db import migrations, models


def forget_content(apps, schema_editor):
    names = ("PostTag", "Post", "Page", "Tag", "SourceFile", "CacheEntry", "OutputFile", "SummaryFragment", "Fact")
    for name in names:
        apps.get_model("blog", name).objects.all().delete()


def text(**options):
    return models.TextField(default="", **options)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0009_fact_subject_index"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="post", name="body_html"),
        migrations.RemoveField(model_name="post", name="toc_html"),
        migrations.RemoveField(model_name="page", name="body_html"),
        migrations.RemoveField(model_name="page", name="toc_html"),
        # The digest before the bodies: new columns go last.
        migrations.AddField(
            model_name="post",
            name="listed_digest",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="page",
            name="listed_digest",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(model_name="post", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="post", name="toc_html", field=text(blank=True), preserve_default=False),
        migrations.AddField(model_name="page", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="page", name="toc_html", field=text(blank=True), preserve_default=False),
        migrations.AddField(
            model_name="summaryfragment",
            name="source",
            field=models.CharField(default="", max_length=1024),
        ),
    ]

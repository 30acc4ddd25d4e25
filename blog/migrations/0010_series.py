"""Posts name the series they are a part of (``series``, and ``series_slug``
for its address).

The new columns go before the bodies, which stay the last columns of the
table (see 0005): the bodies are dropped and added again after them. The
database is a cache: the cached content, pages and fragments are dropped, and
the next build reads the content folder again.
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
        ("blog", "0009_post_path"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="post", name="body_html"),
        migrations.RemoveField(model_name="post", name="toc_html"),
        migrations.AddField(
            model_name="post",
            name="series",
            field=models.CharField(blank=True, default="", max_length=1000),
        ),
        migrations.AddField(
            model_name="post",
            name="series_slug",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AddField(model_name="post", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="post", name="toc_html", field=text(blank=True), preserve_default=False),
    ]

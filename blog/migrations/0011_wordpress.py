"""Pages get ``aliases`` (old URLs that redirect to them, as posts have) and
``draft`` (an imported draft or private page stays out of the site).

The new columns go before the bodies, which stay the last columns (see 0005):
the bodies are dropped and added again after them. The database is a cache: the
cached content is dropped, and the next build reads the content folder again.
"""

from django.db import migrations, models


def forget_content(apps, schema_editor):
    names = ("PostTag", "Post", "Page", "Tag", "SourceFile", "CacheEntry", "OutputFile", "SummaryFragment", "Fact")
    for name in names:
        apps.get_model("blog", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0010_series"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="page", name="body_html"),
        migrations.RemoveField(model_name="page", name="toc_html"),
        migrations.AddField(model_name="page", name="draft", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="page", name="aliases", field=models.JSONField(default=list)),
        migrations.AddField(
            model_name="page", name="body_html", field=models.TextField(default=""), preserve_default=False
        ),
        migrations.AddField(
            model_name="page", name="toc_html", field=models.TextField(blank=True, default=""), preserve_default=False
        ),
    ]

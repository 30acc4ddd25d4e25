"""Pages remember the facts they read while rendering (blog/reads/recorder.py), instead
of a key made from a hand-kept map of what each page shows.

Documents get ``row_digest`` (a digest of the whole row, made when stored) in
place of ``listed_digest``; it goes before the bodies, which stay the last
columns (see 0005). The database is a cache: the cached content, pages and
fragments are dropped, and the next build reads the content folder again.
"""

from django.db import migrations, models


def forget_content(apps, schema_editor):
    names = ("PostTag", "Post", "Page", "Tag", "SourceFile", "CacheEntry", "OutputFile", "SummaryFragment")
    for name in names:
        apps.get_model("blog", name).objects.all().delete()


def text(**options):
    return models.TextField(default="", **options)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0005_bodies_last"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="post", name="listed_digest"),
        migrations.RemoveField(model_name="post", name="body_html"),
        migrations.RemoveField(model_name="post", name="toc_html"),
        migrations.RemoveField(model_name="page", name="body_html"),
        migrations.RemoveField(model_name="page", name="toc_html"),
        # The digest before the bodies: new columns go last.
        migrations.AddField(
            model_name="post",
            name="row_digest",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="page",
            name="row_digest",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(model_name="post", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="post", name="toc_html", field=text(blank=True), preserve_default=False),
        migrations.AddField(model_name="page", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="page", name="toc_html", field=text(blank=True), preserve_default=False),
        migrations.AddField(model_name="outputfile", name="reads", field=models.BinaryField(default=None, null=True)),
        migrations.AlterField(
            model_name="summaryfragment",
            name="key",
            field=models.CharField(max_length=2048, primary_key=True, serialize=False),
        ),
        migrations.AddField(model_name="summaryfragment", name="reads", field=models.BinaryField(default=b"")),
        migrations.CreateModel(
            name="Fact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.TextField()),
                ("digest", models.CharField(max_length=32)),
            ],
            options={"unique_together": {("key", "digest")}},
        ),
    ]

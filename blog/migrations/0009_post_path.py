"""Posts keep the URL their author gave them (Zola's ``path``, Hugo's ``url``,
Jekyll's ``permalink``), and documents know at sync time whether their HTML has
links that are only resolved when a page shows it (blog/content/internal_links.py).

``Post.path`` is the post's URL path from the site root (``2024/05/hello/``).
``link_targets`` lists the sources the body links to, with their lines, and
``rewrites_links`` says whether the body or summary needs the render-time
rewrite at all. The new columns go before the bodies, which stay the last
columns (see 0005). The database is a cache: the cached content, pages and
fragments are dropped, and the next build reads the content folder again.
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
        ("blog", "0008_liquid"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="post", name="body_html"),
        migrations.RemoveField(model_name="post", name="toc_html"),
        migrations.RemoveField(model_name="page", name="body_html"),
        migrations.RemoveField(model_name="page", name="toc_html"),
        # Before the bodies: new columns go last.
        migrations.AddField(
            model_name="post",
            name="path",
            field=models.CharField(default="", max_length=2048),
            preserve_default=False,
        ),
        migrations.AddField(model_name="post", name="link_targets", field=models.JSONField(default=list)),
        migrations.AddField(model_name="post", name="rewrites_links", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="page", name="link_targets", field=models.JSONField(default=list)),
        migrations.AddField(model_name="page", name="rewrites_links", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="post", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="post", name="toc_html", field=text(blank=True), preserve_default=False),
        migrations.AddField(model_name="page", name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name="page", name="toc_html", field=text(blank=True), preserve_default=False),
    ]

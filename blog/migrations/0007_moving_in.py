"""What moving a site in needs (WordPress, Jekyll, Hugo, Zola) and what its
posts show (images, series):

- source files record what their body was rendered from besides the file:
  the images it showed and the copies made of them, and what Liquid read;
- posts keep the URL path their author gave them (Zola's ``path``, Hugo's
  ``url``) and the series they are a part of;
- posts and pages keep the size of their Open Graph image, the sources
  their body links to, and whether their HTML needs the render-time link pass
  (blog/content/internal_links.py);
- pages take ``aliases`` and ``draft``, as posts do.

The new columns go before the bodies, which stay the last columns of their
tables (see 0005): the bodies are dropped and added again after them. The
database is a cache: the cached content is dropped, and the next build reads
the content folder again.
"""

from django.db import migrations, models


def forget_content(apps, schema_editor):
    names = ("PostTag", "Post", "Page", "Tag", "SourceFile", "CacheEntry", "OutputFile", "SummaryFragment", "Fact")
    for name in names:
        apps.get_model("blog", name).objects.all().delete()


def text(**options):
    return models.TextField(default="", **options)


def bodies(model: str, *, removed: bool) -> list:
    if removed:
        return [
            migrations.RemoveField(model_name=model, name="body_html"),
            migrations.RemoveField(model_name=model, name="toc_html"),
        ]
    return [
        migrations.AddField(model_name=model, name="body_html", field=text(), preserve_default=False),
        migrations.AddField(model_name=model, name="toc_html", field=text(blank=True), preserve_default=False),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0006_facts"),
    ]

    operations = [
        migrations.RunPython(forget_content, migrations.RunPython.noop),
        migrations.AddField(model_name="sourcefile", name="images", field=models.JSONField(default=dict)),
        migrations.AddField(model_name="sourcefile", name="image_copies", field=models.JSONField(default=dict)),
        migrations.AddField(model_name="sourcefile", name="inputs", field=models.JSONField(default=list)),
        *bodies("post", removed=True),
        *bodies("page", removed=True),
        migrations.AddField(
            model_name="post", name="path", field=models.CharField(default="", max_length=2048), preserve_default=False
        ),
        migrations.AddField(
            model_name="post", name="series", field=models.CharField(blank=True, default="", max_length=1000)
        ),
        migrations.AddField(
            model_name="post", name="series_slug", field=models.CharField(blank=True, default="", max_length=255)
        ),
        migrations.AddField(model_name="page", name="draft", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="page", name="aliases", field=models.JSONField(default=list)),
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("post", "page")
            for name, field in (
                ("image_width", models.PositiveIntegerField(default=0)),
                ("image_height", models.PositiveIntegerField(default=0)),
                ("link_targets", models.JSONField(default=list)),
                ("rewrites_links", models.BooleanField(default=False)),
            )
        ),
        *bodies("post", removed=False),
        *bodies("page", removed=False),
    ]

"""The index ``post_listing`` holds every column the site index loads of a
post, so that SQLite answers the index's query from it without reading the
rows, whose bodies spread them over many pages (docs/benchmarks.md, issue 17,
session 19)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0013_index_digest'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='post',
            name='post_listing',
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(fields=['-date', 'slug', 'draft', 'row_digest', 'index_digest', 'source', 'path', 'updated', 'url_year', 'url_month', 'extra', 'aliases', 'series_slug'], name='post_listing'),
        ),
    ]

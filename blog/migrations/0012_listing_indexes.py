"""Two covering indexes for what every build and every preview save reads
over all posts (blog/site_index.py): the posts in their order with each
one's ``listed_digest``, and every post's tags in order. SQLite answers both
from the index, without reading the posts' rows (which hold their bodies) or
sorting: at 10,000 posts 17 -> 4 ms and 13 -> 7 ms."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0011_fragment_source_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["-date", "slug", "draft", "listed_digest"], name="post_listing"),
        ),
        migrations.AddIndex(
            model_name="posttag",
            index=models.Index(fields=["post", "position", "tag"], name="posttag_order"),
        ),
    ]

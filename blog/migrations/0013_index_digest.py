"""``listed_digest`` becomes ``index_digest``: a digest of the columns the
site index's lookups answer from, no longer of every column it loads
(``NOT_INDEXED`` in blog/models.py names the others). A new title then leaves
the index's holdings as they were, and a build asks only the facts of the
post's row again, not every stored lookup.

The stored digests stay: each was made of more columns than the new ones are,
so it changed whenever the new one would have. A row the sync stores again
gets a new-style digest, which moves the holdings once.

The preview's index reuses a post while its row is as it was
(``row_digest``, blog/site_index.py, reused_posts): the covering index of the
posts in order names that digest now."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0012_listing_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="post", name="post_listing"),
        migrations.RenameField(model_name="post", old_name="listed_digest", new_name="index_digest"),
        migrations.RenameField(model_name="page", old_name="listed_digest", new_name="index_digest"),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["-date", "slug", "draft", "row_digest"], name="post_listing"),
        ),
    ]

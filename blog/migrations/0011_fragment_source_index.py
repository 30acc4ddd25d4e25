"""A post's stored fragments are deleted with its row, by the content sync
(blog/content/sync.py), through an index on ``SummaryFragment.source``: a
build no longer looks for fragments of posts that are gone, which read
every stored fragment (0.1 s at 50,000 posts). Fragments already orphaned
are deleted here, once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0010_listed_digest"),
    ]

    operations = [
        migrations.RunSQL(
            "DELETE FROM blog_summaryfragment WHERE source NOT IN (SELECT source FROM blog_post)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="summaryfragment",
            name="source",
            field=models.CharField(db_index=True, default="", max_length=1024),
        ),
    ]

"""An index on ``Fact.subject``: the check at the start of a build reads the
few facts whose subject changed through it, and the ids of all facts from it,
instead of scanning a table five times its size (blog/reads/facts.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_fact_subject"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fact",
            name="subject",
            field=models.TextField(db_index=True, default=""),
        ),
    ]

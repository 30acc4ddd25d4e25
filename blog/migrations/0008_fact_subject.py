"""Each fact about one row names that row (``Fact.subject``), so that the check
at the start of a build passes over the facts of unchanged rows without reading
their keys. Facts stored before have no subject and are checked by their keys,
as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0007_moving_in"),
    ]

    operations = [
        migrations.AddField(
            model_name="fact",
            name="subject",
            field=models.TextField(default=""),
        ),
    ]

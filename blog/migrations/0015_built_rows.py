"""Each recorded row's digest as of the last build moves from one JSON cache
entry ("rows") into a table of its own, which the next build compares with
the rows in SQL (blog/reads/built_rows.py). The old entry goes; without it,
the next build counts every row as changed and checks its facts again."""

from django.db import migrations, models


def forget_the_old_entry(apps, schema_editor):
    apps.get_model("blog", "CacheEntry").objects.filter(key="rows").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0014_listed_columns_indexed'),
    ]

    operations = [
        migrations.CreateModel(
            name='BuiltRow',
            fields=[
                ('subject', models.TextField(primary_key=True, serialize=False)),
                ('digest', models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(forget_the_old_entry, migrations.RunPython.noop),
    ]

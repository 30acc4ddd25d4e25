"""A source file remembers what its body was rendered from besides itself
(Liquid's includes, data files, links by name), so that it renders again
when one of them changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0007_images"),
    ]

    operations = [
        migrations.AddField(model_name="sourcefile", name="inputs", field=models.JSONField(default=list)),
    ]

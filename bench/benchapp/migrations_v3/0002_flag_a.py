from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchapp", "0001_initial")]
    operations = [
        migrations.AddField("benchnote", "flag_a", models.BooleanField(default=False)),
    ]

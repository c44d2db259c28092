from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchapp", "0002_flag_a")]
    operations = [
        migrations.AddField("benchnote", "flag_b", models.BooleanField(default=False)),
    ]

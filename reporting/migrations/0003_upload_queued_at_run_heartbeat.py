"""The run's heartbeat and the upload's last queueing time, for the stalled-import sweep.

Two nullable columns: no table rewrite, and code without them keeps working while
tenants are migrated one by one (the sweep treats an empty value as "since it started").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_importrun_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="upload",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="queued"),
        ),
    ]

"""A partner's runs remember the oldest transaction running at the last run
(``deal_xmin``) instead of the last deal history entry's id, which missed entries
committed late with a smaller id.

An id cannot be turned into a transaction: the rows are deleted, so each partner's next
run is a full one (as after a TRUNCATE of the lines), which records ``deal_xmin``. Runs
of code from before this migration fail on a migrated schema until the workers restart
(the import's or the nightly run reconciles them again).
"""

from django.db import migrations, models

FORGET_RECONCILED = "DELETE FROM analytics_reconciledpartner"


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0012_reconciliation_changes"),
        ("deals", "0012_dealevent_xact_id"),
    ]

    operations = [
        # Both ways: each partner's next run, of either code, is a full one.
        migrations.RunSQL(FORGET_RECONCILED, FORGET_RECONCILED),
        migrations.RemoveField(model_name="reconciledpartner", name="deal_event_id"),
        migrations.AddField(
            model_name="reconciledpartner",
            name="deal_xmin",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
    ]

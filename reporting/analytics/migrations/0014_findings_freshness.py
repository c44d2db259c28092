from django.db import migrations, models
from django.db.models.functions import Now

# The pages say how current the findings are. Rows reconciled before this migration were
# last brought up to date no earlier than their full run: start from that, not from the
# time of the migration the column default would give them.
FINDINGS_AT_FROM_FULL_RUN = (
    "UPDATE analytics_reconciledpartner SET findings_at = reconciled_at",
    migrations.RunSQL.noop,
)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0013_reconciled_partner_deal_xmin"),
    ]

    operations = [
        migrations.AddField(
            model_name="reconciledpartner",
            name="findings_at",
            field=models.DateTimeField(db_default=Now()),
        ),
        migrations.RunSQL(*FINDINGS_AT_FROM_FULL_RUN),
        migrations.AddField(
            model_name="reconciliationchange",
            name="noted_at",
            field=models.DateTimeField(
                db_default=models.Func(
                    function="clock_timestamp", output_field=models.DateTimeField()
                )
            ),
        ),
    ]

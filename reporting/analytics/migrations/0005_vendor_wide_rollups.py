"""Vendor-wide rollup rows and one row per key (upserts instead of difference rows).

The existing rollup rows (with their difference rows) are rebuilt from the partner-level
summaries before the unique constraint is added; the deal rollup is filled from DealMonth.
The SQL repeats what reporting.analytics.services does today, on purpose: a migration
must not change when the service changes later.
"""

from django.db import migrations, models


def _rollup_select(dimension: str, key: str, cm: str, wide: str, group: str) -> str:
    return (
        f"SELECT '{dimension}', {key}, month, currency, {cm}, {wide}, sum(quantity),"
        f" sum(amount_reporting), sum(line_count), sum(unconverted_lines)"
        f" FROM analytics_salesmonthproduct GROUP BY {group}"
    )


REBUILD_SALES_ROLLUP = "DELETE FROM analytics_tenantmonth; " + (
    "INSERT INTO analytics_tenantmonth (dimension, key, month, currency, channel_manager_id,"
    " vendor_wide, quantity, amount_reporting, line_count, unconverted_lines) "
    + " UNION ALL ".join(
        _rollup_select(dimension, key, cm, wide, group)
        for dimension, key in (("total", "''"), ("sku", "vendor_sku"), ("country", "country"))
        for cm, wide, group in (
            ("channel_manager_id", "false", "2, 3, 4, 5"),
            ("NULL::bigint", "true", "2, 3, 4"),
        )
    )
)

FILL_DEAL_ROLLUP = """
    INSERT INTO analytics_tenantdealmonth (month, status, currency, deal_count,
        expected_value_reporting, final_amount_reporting, unconverted_deals, decided_count,
        decision_seconds)
    SELECT month, status, currency, sum(deal_count), sum(expected_value_reporting),
           sum(final_amount_reporting), sum(unconverted_deals), sum(decided_count),
           sum(decision_seconds)
      FROM analytics_dealmonth GROUP BY 1, 2, 3
"""


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0004_cm_rollups'),
    ]

    operations = [
        migrations.CreateModel(
            name='TenantDealMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('status', models.CharField(max_length=20)),
                ('currency', models.CharField(max_length=3)),
                ('deal_count', models.IntegerField(default=0)),
                ('expected_value_reporting', models.DecimalField(decimal_places=4, default=0, max_digits=20)),
                ('final_amount_reporting', models.DecimalField(decimal_places=4, default=0, max_digits=20)),
                ('unconverted_deals', models.IntegerField(default=0)),
                ('decided_count', models.IntegerField(default=0)),
                ('decision_seconds', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='tenantmonth',
            name='tenantmonth_dm',
        ),
        migrations.AddField(
            model_name='tenantmonth',
            name='vendor_wide',
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name='tenantmonth',
            index=models.Index(condition=models.Q(('vendor_wide', True)), fields=['dimension', 'month'], name='tenantmonth_wide_dm'),
        ),
        migrations.RunSQL(REBUILD_SALES_ROLLUP, migrations.RunSQL.noop),
        migrations.RunSQL(FILL_DEAL_ROLLUP, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='tenantmonth',
            constraint=models.UniqueConstraint(fields=('dimension', 'key', 'month', 'currency', 'channel_manager_id', 'vendor_wide'), name='tenantmonth_key', nulls_distinct=False),
        ),
        migrations.AddConstraint(
            model_name='tenantdealmonth',
            constraint=models.UniqueConstraint(fields=('month', 'status', 'currency'), name='tenantdealmonth_key'),
        ),
    ]

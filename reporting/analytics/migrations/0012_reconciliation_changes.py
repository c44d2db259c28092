from django.db import migrations, models


# The triggers of 0010 also note, for reconciliation, the end customers whose lines were
# removed or updated (old and new names), so that the reconciliation after an import
# reads those customers only. Added lines are noted by their writer (the sales-changed
# hook), as their months are. A TRUNCATE forgets which partners were reconciled: each is
# reconciled in full next time. Qualified with the trigger's schema, as in 0010.
NOTING_CUSTOMERS = """
CREATE OR REPLACE FUNCTION analytics_sales_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed text;
    customers text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        changed := format(
            'SELECT DISTINCT partner_id, month FROM %I.analytics_salesmonth', TG_TABLE_SCHEMA
        );
        EXECUTE format('DELETE FROM %I.analytics_reconciledpartner', TG_TABLE_SCHEMA);
    ELSE
        IF TG_OP = 'INSERT' THEN
            changed := 'SELECT partner_id, invoice_date, end_customer FROM new_rows';
        ELSIF TG_OP = 'DELETE' THEN
            changed := 'SELECT partner_id, invoice_date, end_customer FROM old_rows';
        ELSE
            changed := 'SELECT partner_id, invoice_date, end_customer FROM new_rows '
                       'UNION ALL SELECT partner_id, invoice_date, end_customer FROM old_rows';
        END IF;
        customers := 'SELECT DISTINCT partner_id, end_customer FROM (' || changed || ') r '
                     'WHERE coalesce(end_customer, '''') <> '''' AND invoice_date IS NOT NULL';
        changed := 'SELECT DISTINCT partner_id, date_trunc(''month'', invoice_date)::date '
                   'FROM (' || changed || ') r WHERE invoice_date IS NOT NULL';
        EXECUTE format(
            'INSERT INTO %I.analytics_reconciliationchange (partner_id, end_customer) %s',
            TG_TABLE_SCHEMA,
            customers
        );
    END IF;
    EXECUTE format(
        'INSERT INTO %I.analytics_saleschangedmonth (partner_id, month) %s',
        TG_TABLE_SCHEMA,
        changed
    );
    RETURN NULL;
END;
$$;
"""

MONTHS_ONLY = """
CREATE OR REPLACE FUNCTION analytics_sales_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        changed := format(
            'SELECT DISTINCT partner_id, month FROM %I.analytics_salesmonth', TG_TABLE_SCHEMA
        );
    ELSE
        IF TG_OP = 'INSERT' THEN
            changed := 'SELECT partner_id, invoice_date FROM new_rows';
        ELSIF TG_OP = 'DELETE' THEN
            changed := 'SELECT partner_id, invoice_date FROM old_rows';
        ELSE
            changed := 'SELECT partner_id, invoice_date FROM new_rows '
                       'UNION ALL SELECT partner_id, invoice_date FROM old_rows';
        END IF;
        changed := 'SELECT DISTINCT partner_id, date_trunc(''month'', invoice_date)::date '
                   'FROM (' || changed || ') r WHERE invoice_date IS NOT NULL';
    END IF;
    EXECUTE format(
        'INSERT INTO %I.analytics_saleschangedmonth (partner_id, month) %s',
        TG_TABLE_SCHEMA,
        changed
    );
    RETURN NULL;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0011_added_lines_noted_by_their_writer"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReconciliationChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("partner_id", models.BigIntegerField()),
                ("month", models.DateField(null=True)),
                ("end_customer", models.TextField(null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["partner_id"], name="recon_change_partner")],
            },
        ),
        migrations.CreateModel(
            name="ReconciledPartner",
            fields=[
                ("partner_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("reconciled_at", models.DateTimeField()),
                ("deal_event_id", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(NOTING_CUSTOMERS, MONTHS_ONLY),
    ]

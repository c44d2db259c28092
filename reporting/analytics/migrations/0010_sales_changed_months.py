from django.db import migrations, models

# Every statement on the raw sales lines notes the (partner, month) pairs it touched, so
# that the refresh after an import summarises those months only. Statement triggers with
# transition tables: one small INSERT per statement, however many lines a COPY writes.
# A TRUNCATE marks every month that has summaries. Qualified with the trigger's schema:
# tenants share the function's code, not a search path.
CREATE_TRIGGERS = """
CREATE FUNCTION analytics_sales_changed() RETURNS trigger
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
CREATE TRIGGER analytics_sales_changed_insert
    AFTER INSERT ON reporting_salesline
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION analytics_sales_changed();
CREATE TRIGGER analytics_sales_changed_update
    AFTER UPDATE ON reporting_salesline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION analytics_sales_changed();
CREATE TRIGGER analytics_sales_changed_delete
    AFTER DELETE ON reporting_salesline
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION analytics_sales_changed();
CREATE TRIGGER analytics_sales_changed_truncate
    AFTER TRUNCATE ON reporting_salesline
    FOR EACH STATEMENT EXECUTE FUNCTION analytics_sales_changed();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS analytics_sales_changed_insert ON reporting_salesline;
DROP TRIGGER IF EXISTS analytics_sales_changed_update ON reporting_salesline;
DROP TRIGGER IF EXISTS analytics_sales_changed_delete ON reporting_salesline;
DROP TRIGGER IF EXISTS analytics_sales_changed_truncate ON reporting_salesline;
DROP FUNCTION IF EXISTS analytics_sales_changed();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0009_reconciliation_names"),
        ("reporting", "0005_exchangerate_moved_from_analytics"),
    ]

    operations = [
        migrations.CreateModel(
            name="SalesChangedMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("partner_id", models.BigIntegerField()),
                ("month", models.DateField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["partner_id", "month"], name="sales_changed_partner")
                ],
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]

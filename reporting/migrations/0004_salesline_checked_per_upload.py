"""Sales lines without per-row foreign-key checks; an upload's lines go with it.

The two foreign keys of `reporting_salesline` queued one check per line and per key,
all run at commit: about 6 s of a 17 s import of 1,000,000 lines (docs/benchmarks.md).
The import now checks its upload once and holds it until commit
(`reporting.services._store`). What the upload's key also gave, lines never outliving
their upload, is kept by a statement trigger on `reporting_upload`: whoever deletes
uploads (the ORM already deletes their lines first, raw SQL, an import committing while
its upload was being deleted) deletes their lines in the same statement.

The single-column partner index goes: `line_partner_date` (partner, invoice_date)
serves every read by partner. The upload's b-tree becomes a BRIN index: lines are only
looked up by upload to delete them, and COPY writes an upload's lines together.

Dropping a constraint and an index is quick and takes no table rewrite.
"""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

CREATE_TRIGGER = """
CREATE FUNCTION reporting_upload_delete_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Qualified with the trigger's schema: tenants share the function's code, not a
    -- search path.
    EXECUTE format(
        'DELETE FROM %I.reporting_salesline WHERE upload_id IN (SELECT id FROM gone)',
        TG_TABLE_SCHEMA
    );
    RETURN NULL;
END;
$$;
CREATE TRIGGER reporting_upload_delete_lines
    AFTER DELETE ON reporting_upload
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_upload_delete_lines();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS reporting_upload_delete_lines ON reporting_upload;
DROP FUNCTION IF EXISTS reporting_upload_delete_lines();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_tiers_applications_invitations_agreements"),
        ("reporting", "0003_upload_queued_at_run_heartbeat"),
    ]

    operations = [
        migrations.AlterField(
            model_name="salesline",
            name="upload",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lines",
                to="reporting.upload",
            ),
        ),
        migrations.AlterField(
            model_name="salesline",
            name="partner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sales_lines",
                to="partners.partner",
            ),
        ),
        migrations.AddIndex(
            model_name="salesline",
            index=django.contrib.postgres.indexes.BrinIndex(
                fields=["upload"], name="line_upload_brin"
            ),
        ),
        migrations.RunSQL(CREATE_TRIGGER, DROP_TRIGGER),
    ]

"""An upload keeps the id range of its lines; the BRIN index on upload_id goes.

An import's line ids are one block, reserved under the tenant's line-id lock
(`reporting.importing._LineIds`), so the upload's lines are found through the primary key
by `first_line_id`/`last_line_id` (`reporting.models.lines_of_upload`), always with
`upload_id` compared too. The BRIN index cost COPY a look-up per line (~0.25 s of backend
CPU for 1,000,000 lines, docs/performance-decisions.md).

Existing uploads get the range of the lines they have (one pass over the lines, grouped by
upload). The trigger that deletes the lines of deleted uploads now finds them by range;
the ORM no longer deletes them itself (`on_delete=DO_NOTHING`: its query by upload_id
would read the whole table).
"""

import django.db.models.deletion
from django.db import migrations, models

FILL_RANGES = """
UPDATE reporting_upload u
   SET first_line_id = r.first_id, last_line_id = r.last_id
  FROM (SELECT upload_id, min(id) AS first_id, max(id) AS last_id
          FROM reporting_salesline GROUP BY upload_id) r
 WHERE u.id = r.upload_id;
"""

DELETE_BY_RANGE = """
CREATE OR REPLACE FUNCTION reporting_upload_delete_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Qualified with the trigger's schema: tenants share the function's code, not a
    -- search path. Found by each upload's id range through the primary key.
    EXECUTE format(
        'DELETE FROM %I.reporting_salesline l USING gone g '
        'WHERE l.id BETWEEN g.first_line_id AND g.last_line_id AND l.upload_id = g.id',
        TG_TABLE_SCHEMA
    );
    RETURN NULL;
END;
$$;
"""

DELETE_BY_UPLOAD = """
CREATE OR REPLACE FUNCTION reporting_upload_delete_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'DELETE FROM %I.reporting_salesline WHERE upload_id IN (SELECT id FROM gone)',
        TG_TABLE_SCHEMA
    );
    RETURN NULL;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_upload_waiting_on_staff_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="upload",
            name="first_line_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="upload",
            name="last_line_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL_RANGES, migrations.RunSQL.noop),
        migrations.RunSQL(DELETE_BY_RANGE, DELETE_BY_UPLOAD),
        migrations.RemoveIndex(model_name="salesline", name="line_upload_brin"),
        migrations.AlterField(
            model_name="salesline",
            name="upload",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="lines",
                to="reporting.upload",
            ),
        ),
    ]

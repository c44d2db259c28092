"""Each deal history entry notes the PostgreSQL transaction that wrote it (``xact_id``).

Reconciliation reads the entries of transactions that ended since its last run (see
reporting/analytics/reconciliation.py). Added without rewriting the table: a constant
default (0, kept in the catalogue, not written to each row) for the entries already
there, then the transaction's id as the default of new rows; Django's AddField with a
volatile default would rewrite every row in one ACCESS EXCLUSIVE lock. The index is built
in the same transaction (one scan; the old rows' zeros deduplicate to a few pages).
"""

from django.db import migrations, models

ADD = """
ALTER TABLE deals_dealevent ADD COLUMN xact_id bigint NOT NULL DEFAULT 0;
ALTER TABLE deals_dealevent ALTER COLUMN xact_id SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX dealevent_xact ON deals_dealevent (xact_id);
"""

DROP = "ALTER TABLE deals_dealevent DROP COLUMN xact_id;"


class Migration(migrations.Migration):
    dependencies = [("deals", "0011_extension_requests_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="dealevent",
                    name="xact_id",
                    field=models.BigIntegerField(
                        db_default=models.Func(
                            output_field=models.BigIntegerField(),
                            template="pg_current_xact_id()::text::bigint",
                        ),
                        editable=False,
                    ),
                ),
                migrations.AddIndex(
                    model_name="dealevent",
                    index=models.Index(fields=["xact_id"], name="dealevent_xact"),
                ),
            ],
        )
    ]

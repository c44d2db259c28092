"""The database itself refuses to change or delete deal history (it is append-only).

The model and its queryset already raise; this trigger also stops raw SQL, the shell and
any future code path. Core PL/pgSQL only (no extensions). TRUNCATE and DROP SCHEMA, which
only the platform operator runs, are not row operations and are not affected.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION deals_dealevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'deal history is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER deals_dealevent_append_only
    BEFORE UPDATE OR DELETE ON deals_dealevent
    FOR EACH ROW EXECUTE FUNCTION deals_dealevent_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS deals_dealevent_append_only ON deals_dealevent;
DROP FUNCTION IF EXISTS deals_dealevent_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]

"""Rows about an upload go with it, whoever deletes it.

Uploads can be deleted by raw SQL (the import's own trigger deletes their sales lines in
the same statement); the ORM's cascade would then not run, so the database does it:
every foreign key from these tables to `reporting_upload` gets ON DELETE CASCADE (SET
NULL for the upload a held line repeats). Same names, still deferred.
"""

from django.db import migrations

CASCADE = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT c.conname, c.conrelid::regclass AS tbl, a.attname AS col
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.confrelid = 'reporting_upload'::regclass
           AND c.conrelid::regclass::text LIKE 'quality\\_%'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
        EXECUTE format(
            'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES reporting_upload (id)'
            ' ON DELETE %s DEFERRABLE INITIALLY DEFERRED',
            r.tbl, r.conname, r.col,
            CASE WHEN r.col = 'duplicate_of_id' THEN 'SET NULL' ELSE 'CASCADE' END
        );
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunSQL(CASCADE, migrations.RunSQL.noop)]

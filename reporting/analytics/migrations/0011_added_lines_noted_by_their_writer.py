from django.db import migrations

# Lines added are noted by their writer (the import, held repeats counted again) through
# the sales-changed hook, which knows their months for free. The INSERT trigger kept every
# line of a COPY in a transition table until the statement ended: about 0.5 s of CPU for a
# million-line import. Removed and updated lines are still noted by their triggers.
DROP_INSERT_TRIGGER = "DROP TRIGGER IF EXISTS analytics_sales_changed_insert ON reporting_salesline;"

CREATE_INSERT_TRIGGER = """
CREATE TRIGGER analytics_sales_changed_insert
    AFTER INSERT ON reporting_salesline
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION analytics_sales_changed();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0010_sales_changed_months"),
    ]

    operations = [
        migrations.RunSQL(DROP_INSERT_TRIGGER, reverse_sql=CREATE_INSERT_TRIGGER),
    ]

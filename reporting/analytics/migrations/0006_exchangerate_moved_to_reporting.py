# ExchangeRate now belongs to reporting (see reporting 0005); nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0005_vendor_wide_rollups'),
        ('reporting', '0005_exchangerate_moved_from_analytics'),
        # Its data migration reads rates as analytics.ExchangeRate: run it before the move.
        ('deals', '0009_repair_copied_list_prices'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ExchangeRate')],
            database_operations=[],
        ),
    ]

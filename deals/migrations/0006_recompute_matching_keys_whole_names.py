"""Recompute the stored matching keys: names with one word left out are now stored as
``-name`` keys (``=`` is kept for the exact whole name, which ranks first). See 0004."""

import importlib

from django.db import migrations


def recompute(apps, schema_editor):
    importlib.import_module("deals.migrations.0004_recompute_matching_keys").recompute(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [("deals", "0005_recompute_matching_keys_again")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]

"""Recompute the stored matching keys: name_keys changed (short words keep their letters in
pair keys; two-word names gained a typo-tolerant key). See 0004 for why."""

import importlib

from django.db import migrations


def recompute(apps, schema_editor):
    importlib.import_module("deals.migrations.0004_recompute_matching_keys").recompute(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [("deals", "0004_recompute_matching_keys")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]

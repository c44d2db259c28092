"""A tenant app that exists only for bench/tenants.py: its migration sets v1 -> v2 -> v3
each add one migration, so `migrate_schemas` can be timed with exactly one new migration
per tenant without touching the product's apps."""

import os

from django.db import models

VERSION = int(os.environ.get("BENCH_MIGRATIONS", "v1").lstrip("v"))


class BenchNote(models.Model):
    """One row type per tenant; its columns grow with the migration set in use."""

    text = models.CharField(max_length=50, default="")
    if VERSION >= 2:
        flag_a = models.BooleanField(default=False)
    if VERSION >= 3:
        flag_b = models.BooleanField(default=False)

    class Meta:
        app_label = "benchapp"

    def __str__(self) -> str:
        return self.text

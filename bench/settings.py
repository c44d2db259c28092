"""Settings for bench scripts: the product's settings plus the bench-only tenant app."""

import os

from prm.settings import *  # noqa: F403
from prm.settings import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "bench.benchapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.benchapp"]
MIGRATION_MODULES = {
    "benchapp": f"bench.benchapp.migrations_{os.environ.get('BENCH_MIGRATIONS', 'v1')}"
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

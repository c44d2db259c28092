"""The Celery app. Every task runs in the schema of the tenant that queued it.

tenant-schemas-celery's CeleryApp adds the current schema to each message's headers and
switches the worker's connection to it before the task runs; a plain Celery() app would
silently run every task in `public`.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")

import prm.core.observability  # noqa: E402,F401 - request ids in task messages and logs

app = CeleryApp("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

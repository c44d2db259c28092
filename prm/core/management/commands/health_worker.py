"""Health of the background side: broker, worker and result backend, end to end.

    manage.py health_worker [--timeout 10] [--schema acme]

Exits 0 and prints `ok` when a worker answers a ping and a task queued now comes back
with the right schema within the timeout; exits 1 with the reason otherwise. Use it as the
worker container's health check, or from monitoring (it needs no open port).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from prm.celery import app
from prm.core.tasks import task_context


class Command(BaseCommand):
    help = "Check that a Celery worker answers and runs a task round trip."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)
        parser.add_argument(
            "--schema", default="public", help="run the round-trip task in this tenant schema"
        )

    def handle(self, *args, timeout, schema, **options):
        started = time.perf_counter()
        try:
            replies = app.control.ping(timeout=min(timeout, 2.0)) or []
        except Exception as exc:  # noqa: BLE001 - broker down is an answer, not a crash
            raise CommandError(f"broker unreachable: {exc}") from exc
        if not replies:
            raise CommandError("no Celery worker answered the ping")
        try:
            with schema_context(schema):
                result = task_context.delay()
            answer = result.get(timeout=timeout)
        except Exception as exc:  # noqa: BLE001
            raise CommandError(f"task round trip failed: {exc!r}") from exc
        if answer.get("schema") != schema:
            raise CommandError(f"task ran in {answer.get('schema')}, expected {schema}")
        self.stdout.write(
            json.dumps(
                {
                    "status": "ok",
                    "workers": sorted(name for reply in replies for name in reply),
                    "round_trip_ms": round((time.perf_counter() - started) * 1000),
                }
            )
        )

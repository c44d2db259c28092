"""Tasks run in the schema of the tenant that queued them, on a real worker."""

from django_tenants.utils import schema_context

from prm.core.tasks import current_schema
from tests.conftest import wait_for_worker_idle


def test_it_runs_a_task_queued_in_acme_in_acme_schema(celery_worker):
    with schema_context("acme"):
        result = current_schema.delay()
    assert result.get(timeout=30) == "acme"


def test_it_runs_a_task_queued_in_globex_in_globex_schema(celery_worker):
    with schema_context("globex"):
        assert current_schema.delay().get(timeout=30) == "globex"


def test_it_waits_until_the_worker_has_run_everything_queued(celery_worker):
    with schema_context("acme"):
        results = [current_schema.delay() for _ in range(30)]
    wait_for_worker_idle(timeout=60)
    assert [result.ready() for result in results] == [True] * 30

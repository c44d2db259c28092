"""Tasks run in the schema of the tenant that queued them, on a real worker."""

from django_tenants.utils import schema_context

from prm.core.tasks import current_schema


def test_it_runs_a_task_queued_in_acme_in_acme_schema(celery_worker):
    with schema_context("acme"):
        result = current_schema.delay()
    assert result.get(timeout=30) == "acme"


def test_it_runs_a_task_queued_in_globex_in_globex_schema(celery_worker):
    with schema_context("globex"):
        assert current_schema.delay().get(timeout=30) == "globex"

"""The same task delivered twice has one effect (prm.core.idempotency)."""

import uuid

import pytest
from celery import shared_task
from django.db import transaction
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.core.idempotency import claim_once, idempotent
from prm.core.models import TaskRun


@shared_task(name="tests.ops.register_partner")
@idempotent(key=lambda name, fail=False: f"register-partner:{name}")
def register_partner(name: str, fail: bool = False) -> int:
    partner = Partner.objects.create(name=name, slug=f"p-{uuid.uuid4().hex[:12]}", country="US")
    if fail:
        raise RuntimeError("worker lost after the insert")
    return partner.pk


@shared_task(name="tests.ops.count_delivery")
@idempotent()
def count_delivery(name: str) -> int:
    return Partner.objects.create(name=name, slug=f"d-{uuid.uuid4().hex[:12]}", country="DE").pk


def test_it_runs_a_task_delivered_twice_once(acme):
    name = f"Twice {uuid.uuid4().hex[:6]}"
    first = register_partner.apply(args=[name]).get()
    second = register_partner.apply(args=[name]).get()
    assert first is not None and second is None
    assert Partner.objects.filter(name=name).count() == 1


def test_it_treats_a_redelivered_message_as_one_run(acme):
    """Same message (same task id) twice: a Redis redelivery after a lost worker."""
    name = f"Redelivered {uuid.uuid4().hex[:6]}"
    task_id = str(uuid.uuid4())
    count_delivery.apply(args=[name], task_id=task_id)
    count_delivery.apply(args=[name], task_id=task_id)
    count_delivery.apply(args=[name], task_id=str(uuid.uuid4()))  # a new message: runs
    assert Partner.objects.filter(name=name).count() == 2


def test_it_runs_again_when_the_first_attempt_failed(acme):
    name = f"Retry {uuid.uuid4().hex[:6]}"
    assert register_partner.apply(args=[name, True]).failed()
    assert Partner.objects.filter(name=name).count() == 0  # rolled back with its claim
    assert register_partner.apply(args=[name]).get() is not None
    assert Partner.objects.filter(name=name).count() == 1


def test_it_keeps_keys_apart_per_vendor(cast, db):
    key = f"import:{uuid.uuid4().hex}"
    with schema_context("acme"), transaction.atomic():
        assert claim_once(key) is True
        assert claim_once(key) is False
    with schema_context("globex"), transaction.atomic():
        assert claim_once(key) is True
    assert set(TaskRun.objects.filter(key=key).values_list("schema_name", flat=True)) == {
        "acme",
        "globex",
    }


def test_it_refuses_to_claim_outside_a_transaction(cast, db):
    with pytest.raises(RuntimeError, match="atomic"):
        # pytest-django's db wraps the test in atomic; leave it to prove the guard.
        with schema_context("acme"):
            from django.db import connection

            saved = connection.in_atomic_block
            connection.in_atomic_block = False
            try:
                claim_once("x")
            finally:
                connection.in_atomic_block = saved

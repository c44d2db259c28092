"""A restore that deadlocks with a reader of the schema it replaces is tried again."""

import logging
import shutil
import uuid

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.tenancy.services import vendor_create
from tests.ops.test_backup import drop_vendor
from tests.races import drop_deadlocked_by_a_reader

pytestmark = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump/psql")


def test_a_restore_deadlocked_by_a_reader_is_tried_again(cast, django_db_blocker, tmp_path, caplog):
    schema = f"bkp{uuid.uuid4().hex[:8]}"
    backup = tmp_path / f"{schema}.sql"
    with django_db_blocker.unblock():
        try:
            vendor_create(schema=schema, name="Deadlock Co", domain=f"{schema}.localhost")
            call_command("backup_tenant", "--schema", schema, "--output", str(backup))
            with schema_context(schema):
                Partner.objects.create(name="Made After Backup", slug="later", country="US")

            with caplog.at_level(logging.WARNING):
                errors = drop_deadlocked_by_a_reader(
                    schema,
                    lambda: call_command("restore_tenant", "--input", str(backup), "--replace"),
                )
            assert not errors, errors
            assert "trying again" in caplog.text
            with schema_context(schema):
                assert not Partner.objects.filter(slug="later").exists()
        finally:
            drop_vendor(schema)

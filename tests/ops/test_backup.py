"""One vendor's backup: dump, lose the vendor, restore, and the data is back."""

import shutil
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from partners.models import Partner
from prm.accounts.models import User
from prm.tenancy.models import Domain, Vendor
from prm.tenancy.services import vendor_create
from tests.conftest import wait_for_worker_idle

pytestmark = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump/psql")


def drop_vendor(schema: str) -> None:
    # A refresh the test's saves queued may still read the schema: the DROP, taking its
    # tables' locks one by one, would deadlock with it.
    wait_for_worker_idle()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    Vendor.objects.filter(schema_name=schema).delete()


def test_it_restores_a_vendor_after_its_schema_and_rows_are_lost(cast, django_db_blocker, tmp_path):
    schema = f"bkp{uuid.uuid4().hex[:8]}"  # committed data: pg_dump is another connection
    backup = tmp_path / f"{schema}.sql"
    with django_db_blocker.unblock():
        try:
            vendor_create(
                schema=schema,
                name="Backup Networks",
                domain=f"{schema}.localhost",
                admin_email="boss@backup.example",
                admin_password="a-long-pass-2026",
            )
            with schema_context(schema):
                Partner.objects.create(name="Ardent Backup", slug="ardent-backup", country="US")
            call_command("backup_tenant", "--schema", schema, "--output", str(backup))

            drop_vendor(schema)  # the disaster: schema, vendor row and domain gone
            assert not schema_exists(schema)

            call_command("restore_tenant", "--input", str(backup))
            vendor = Vendor.objects.get(schema_name=schema)
            assert vendor.name == "Backup Networks"
            assert Domain.objects.get(domain=f"{schema}.localhost").tenant == vendor
            with schema_context(schema):
                assert Partner.objects.get(slug="ardent-backup").name == "Ardent Backup"
                assert User.objects.get(email="boss@backup.example").check_password(
                    "a-long-pass-2026"
                )
                # Sequences come back too: new rows do not collide with restored ones.
                Partner.objects.create(name="After Restore", slug="after-restore", country="DE")
        finally:
            drop_vendor(schema)


def test_it_replaces_a_schema_only_when_asked(cast, django_db_blocker, tmp_path):
    schema = f"bkp{uuid.uuid4().hex[:8]}"
    backup = tmp_path / f"{schema}.sql"
    with django_db_blocker.unblock():
        try:
            vendor_create(schema=schema, name="Replace Co", domain=f"{schema}.localhost")
            call_command("backup_tenant", "--schema", schema, "--output", str(backup))
            with schema_context(schema):
                Partner.objects.create(name="Made After Backup", slug="later", country="US")

            with pytest.raises(CommandError, match="--replace"):
                call_command("restore_tenant", "--input", str(backup))
            with schema_context(schema):
                assert Partner.objects.filter(slug="later").exists()

            call_command("restore_tenant", "--input", str(backup), "--replace")
            with schema_context(schema):
                assert not Partner.objects.filter(slug="later").exists()
        finally:
            drop_vendor(schema)


def test_it_refuses_a_file_that_is_not_a_backup(cast, db, tmp_path):
    bogus = tmp_path / "bogus.sql"
    bogus.write_text("DROP SCHEMA acme CASCADE;\n")
    with pytest.raises(CommandError, match="not a PRM tenant backup"):
        call_command("restore_tenant", "--input", str(bogus), "--replace")
    assert schema_exists("acme")

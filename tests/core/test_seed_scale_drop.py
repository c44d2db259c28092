"""`seed_scale --replace` drops its vendors even when a worker task reading one of them
deadlocks with the DROP: the drop is tried again."""

import uuid

from django.db import connection
from django_tenants.utils import schema_exists

from prm.seeding import scale
from prm.seeding.scale.spec import SEED_MARK
from prm.tenancy.models import Vendor
from prm.tenancy.services import vendor_create
from tests.races import drop_deadlocked_by_a_reader


def test_it_drops_a_seeded_vendor_after_a_deadlock_with_a_reader(cast, django_db_blocker):
    schema = f"seeddrop{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        try:
            vendor_create(schema=schema, name=f"Drop Me {SEED_MARK}", domain=f"{schema}.localhost")
            connection.close()
            errors = drop_deadlocked_by_a_reader(schema, lambda: scale.drop_vendors([schema]))
            assert errors == []
            assert not schema_exists(schema)
            assert not Vendor.objects.filter(schema_name=schema).exists()
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            Vendor.objects.filter(schema_name=schema).delete()

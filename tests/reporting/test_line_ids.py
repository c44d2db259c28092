"""Every writer of sales lines takes its ids under the vendor's line-id lock, held until
commit: an import reserves whole blocks of ids under it, so a line written another way
at that moment (a line saved through the ORM, the scale seeding) must wait, or it could
take an id inside the import's block."""

from datetime import date
from decimal import Decimal

import psycopg
import pytest
from django.db import OperationalError, connection, transaction

from reporting.models import SalesLine, hold_line_ids
from tests.reporting.uploads import done_upload


def _line(upload, number: int) -> SalesLine:
    return SalesLine(
        upload=upload,
        partner=upload.partner,
        invoice_number=f"INV-{number}",
        invoice_date=date(2026, 9, 1),
        vendor_sku="AN-SW-24P",
        quantity=1,
        unit_price=Decimal("10.00"),
        amount=Decimal("10.00"),
        currency="EUR",
        source_row=number + 2,
        transaction_type="sale",
    )


@pytest.fixture
def ids_held_elsewhere(acme):
    """Another session holding the vendor's line ids, as an import storing its lines does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params.pop("cursor_factory", None)
    other = psycopg.connect(**(params | {"dbname": database}))
    try:
        other.execute(f'SET search_path = "{schema}"')
        # The lock's key names the schema (django-tenants' connection attribute).
        other.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), 0)",
            [f"reporting.salesline.ids:{connection.schema_name}"],
        )
        yield
    finally:
        other.rollback()
        other.close()


def _refused_while_held(write) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '300ms'")
        with pytest.raises(OperationalError, match="lock timeout"):
            with transaction.atomic():
                write()


def test_a_line_saved_through_the_orm_waits_for_the_line_ids(cast, ids_held_elsewhere):
    upload = done_upload(cast.partner_a, cast.partner_a_admin)

    _refused_while_held(lambda: _line(upload, 1).save())
    _refused_while_held(lambda: SalesLine.objects.bulk_create([_line(upload, 2)]))


def test_the_lock_is_the_one_an_import_takes(cast, acme):
    """Without another holder, the ORM's writes go through and widen the upload's range."""
    upload = done_upload(cast.partner_a, cast.partner_a_admin)
    with transaction.atomic(), connection.cursor() as cursor:
        hold_line_ids(cursor)  # re-entrant for its own session, as an import's own writes
        first = _line(upload, 1)
        first.save()
        more = SalesLine.objects.bulk_create([_line(upload, 2), _line(upload, 3)])

    upload.refresh_from_db()
    assert upload.first_line_id == first.pk
    assert upload.last_line_id == max(line.pk for line in more)

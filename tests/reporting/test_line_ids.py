"""Every writer of sales lines takes its ids under the vendor's line-id lock, held until
commit: an import reserves whole blocks of ids under it, so a line written another way
at that moment (a line saved through the ORM, the scale seeding) must wait, or it could
take an id inside the import's block."""

import psycopg
import pytest
from django.db import OperationalError, connection, transaction

from reporting.models import SalesLine, hold_line_ids
from tests.reporting.uploads import done_upload, sales_line


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

    _refused_while_held(lambda: sales_line(upload, 1).save())
    _refused_while_held(lambda: SalesLine.objects.bulk_create([sales_line(upload, 2)]))


def test_the_lock_is_the_one_an_import_takes(cast, acme):
    """Without another holder, the ORM's writes go through and widen the upload's range."""
    upload = done_upload(cast.partner_a, cast.partner_a_admin)
    with transaction.atomic(), connection.cursor() as cursor:
        hold_line_ids(cursor)  # re-entrant for its own session, as an import's own writes
        first = sales_line(upload, 1)
        first.save()
        more = SalesLine.objects.bulk_create([sales_line(upload, 2), sales_line(upload, 3)])

    upload.refresh_from_db()
    assert upload.first_line_id == first.pk
    assert upload.last_line_id == max(line.pk for line in more)

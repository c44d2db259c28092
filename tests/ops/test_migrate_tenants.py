"""migrate_tenants skips vendor schemas that already have every migration."""

from io import StringIO

from django.core.management import call_command
from django.db import connection

from prm.tenancy.management.commands import migrate_tenants


def test_it_skips_every_schema_when_nothing_is_pending(cast, db, monkeypatch):
    calls = []
    monkeypatch.setattr(migrate_tenants, "call_command", lambda *a, **kw: calls.append(kw))
    out = StringIO()
    call_command("migrate_tenants", stdout=out)
    assert out.getvalue().startswith("0 of 2 vendor schemas need migrations.")
    assert calls == []


def test_it_migrates_only_the_schema_that_misses_a_migration(cast, db, monkeypatch):
    with connection.cursor() as cursor:  # rolled back after the test
        cursor.execute(
            'DELETE FROM "globex".django_migrations WHERE id = '
            '(SELECT max(id) FROM "globex".django_migrations)'
        )
    calls = []
    monkeypatch.setattr(migrate_tenants, "call_command", lambda *a, **kw: calls.append(kw))
    call_command("migrate_tenants", stdout=StringIO())
    assert [kw.get("schema_name") for kw in calls] == ["globex"]

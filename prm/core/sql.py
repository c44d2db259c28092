"""Small query helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.expressions import RawSQL


def one_of(ids: Iterable[int]) -> RawSQL:
    """The right side of `field__in=` for a long list of ids, sent as ONE array parameter.

    `field__in=[...]` writes one placeholder per id; at 5,000 partners (a vendor admin's
    scope) psycopg spent most of a work-queue request building and converting that
    statement. `IN (SELECT unnest(array))` selects the same rows with one parameter.
    """
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))


def hold_rows(model, ids: Iterable[int]) -> set[int]:
    """Lock these rows of ``model`` against deletion until the transaction ends; return
    the ids still there.

    For background work that files rows under a row it read earlier (a partner's scores,
    a reminder): a row deleted since is skipped instead of failing the whole run on its
    foreign key at commit, and a deletion that starts later waits for this transaction and
    then sees what it wrote. FOR KEY SHARE holds off only deletions (and key changes), so
    ordinary edits of the rows go on meanwhile. Call it inside a transaction."""
    from django.db import connection

    ids = sorted(set(ids))
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {connection.ops.quote_name(model._meta.db_table)}"
            " WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",
            [ids],
        )
        return {row[0] for row in cursor.fetchall()}

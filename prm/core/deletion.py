"""Deleting rows that background work files other rows under.

The worker writes rows that point at a partner or an upload it read a moment earlier (a
new partner's figures filed under its CM, an upload's quality figures). Django deletes a
row in two steps: it first finds every row that goes with it, then deletes them and the
row. A worker transaction committing between the two steps leaves a row Django never saw,
and the deletion fails on its foreign key. Locking the rows before Django looks closes
that gap: a running worker transaction that holds them (FOR SHARE or FOR KEY SHARE, see
`prm.core.sql.hold_rows`) is waited for and its rows are then seen and deleted too; one
that starts later waits for the deletion and finds nothing to file under.
"""

from __future__ import annotations

from django.db import models, router, transaction


def _lock(queryset: models.QuerySet) -> None:
    # In id order: two deletions of overlapping rows never wait on each other in a circle.
    list(queryset.order_by("pk").select_for_update().values_list("pk", flat=True))


class LockBeforeDeleteQuerySet(models.QuerySet):
    """`objects = LockBeforeDeleteQuerySet.as_manager()`: bulk deletions (the admin's
    "delete selected" action, `filter(...).delete()`) lock their rows first."""

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            ids = list(self.values_list("pk", flat=True))
            _lock(self.model._base_manager.using(self.db).filter(pk__in=ids))
            return super().delete()


class LockBeforeDelete:
    """Model mixin: `instance.delete()` locks the row first (no fields, no migration)."""

    def delete(self, using=None, keep_parents=False):
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            _lock(type(self)._base_manager.using(using).filter(pk=self.pk))
            return super().delete(using=using, keep_parents=keep_parents)

"""Models that belong to no app: the ledger that makes Celery tasks run once."""

from django.db import models


class TaskRun(models.Model):
    """One row per unit of task work already done, so a redelivered task skips it.

    Lives in the public schema (prm.core is a shared app) and is written in the same
    transaction as the task's effect in the vendor schema, so the two commit or roll
    back together. Keys are per schema: the same key in two vendors is two runs.
    """

    schema_name = models.CharField(max_length=63)
    key = models.CharField(max_length=200)
    task_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "key"], name="taskrun_once_per_schema")
        ]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.key}"

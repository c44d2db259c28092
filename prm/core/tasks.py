"""Tasks that belong to no app."""

from celery import shared_task
from django.db import connection


@shared_task
def current_schema() -> str:
    """Answers the schema the task ran in: lets tests and the health check prove routing."""
    return connection.schema_name

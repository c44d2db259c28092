"""What the API keeps between requests: answers to POSTs sent with an Idempotency-Key."""

from django.db import models


class IdempotentRequest(models.Model):
    """The stored answer to one POST sent with an `Idempotency-Key` header.

    Written in the same transaction as the POST's effect: a retry with the same key gets
    this answer back instead of acting again, and a concurrent retry waits on the unique
    row until the first request has committed (or rolled back, when it failed).
    """

    api_key = models.ForeignKey("accounts.ApiKey", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotent_request_once")
        ]

    def __str__(self) -> str:
        return self.key

"""Webhook endpoints a vendor registered, and every delivery to them with its attempts."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.core.deletion import LockBeforeDelete, LockBeforeDeleteQuerySet


class Event(models.TextChoices):
    """What a vendor can subscribe to; apps emit these from their services."""

    DEAL_SUBMITTED = "deal.submitted", "deal.submitted"
    DEAL_APPROVED = "deal.approved", "deal.approved"
    DEAL_REJECTED = "deal.rejected", "deal.rejected"
    DEAL_EXPIRED = "deal.expired", "deal.expired"
    UPLOAD_IMPORTED = "upload.imported", "upload.imported"
    UPLOAD_FAILED = "upload.failed", "upload.failed"
    UPLOAD_WITHDRAWN = "upload.withdrawn", "upload.withdrawn"
    PARTNER_ACTIVATED = "partner.activated", "partner.activated"


class Endpoint(LockBeforeDelete, models.Model):
    """A URL of the vendor's own systems that receives signed POSTs for chosen events.

    The secret (`whsec_` + base64 of 32 random bytes) signs every delivery; the receiver
    keeps a copy to check the signature, so it is stored as is (it is shown once to whoever
    registers the endpoint, and to vendor admins in the admin).
    """

    url = models.URLField(_("URL"), max_length=500)
    events = ArrayField(
        models.CharField(max_length=40, choices=Event.choices), verbose_name=_("events")
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    # After a rotation, deliveries are signed with the old secret too until this time, so
    # a receiver can switch to the new secret without dropping a message meanwhile.
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    #: A deletion locks first: the worker records attempts under its deliveries
    #: (services.delivery_attempt, prm.core.deletion).
    objects = LockBeforeDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, now) -> list[str]:
        """The secrets a delivery made at `now` is signed with (newest first)."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            secrets.append(self.previous_secret)
        return secrets


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one endpoint: the message (same id and body on every attempt).

    `next_attempt_at` is when the next try is due; a sweep every minute sends due ones,
    so retries never sit in the broker as long countdowns.
    """

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    message_id = models.CharField(_("message id"), max_length=40, unique=True)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class Attempt(models.Model):
    """One HTTP POST of a delivery: when, what came back, how long it took."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("delivery")
    )
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    response_body = models.TextField(_("response"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"

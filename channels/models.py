"""Channel managers' workspace: announcements (territories are partner master data and
live in partners.models).

The work queue has no table: it is assembled from sources other apps register
(`channels.queue`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Announcement(models.Model):
    """News for partners, chosen by tier and/or territory (none chosen: everyone in scope).

    The partners it reaches are fixed when it is published (AnnouncementRecipient), so
    what a partner sees does not change when tiers or assignments change later.
    """

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    tiers = models.ManyToManyField(
        "partners.Tier", verbose_name=_("tiers"), blank=True, related_name="+"
    )
    territories = models.ManyToManyField(
        "partners.Territory", verbose_name=_("territories"), blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class AnnouncementRecipient(models.Model):
    """One partner an announcement reached; `emailed_at` makes the e-mail task idempotent."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="announcements_received"
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement recipient")
        verbose_name_plural = _("announcement recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "partner"], name="one_recipient_row_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.announcement} -> {self.partner}"

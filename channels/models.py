"""Channel managers' workspace: territories and announcements.

The work queue has no table: it is assembled from sources other apps register
(`channels.queue`).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """A named set of countries (a region) that partners are grouped and assigned by.

    New partners and applications from one of its countries go to its channel manager.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    countries = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("countries"),
        default=list,
        blank=True,
        help_text=_("Two-letter ISO country codes, e.g. US, DE, VN."),
    )
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="territories",
        limit_choices_to={"role": "channel_manager"},
        help_text=_("Receives new applications and partners from these countries."),
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
        Territory, verbose_name=_("territories"), blank=True, related_name="+"
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

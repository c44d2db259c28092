"""Channel data quality: held duplicates, reporting cadence, reminders, customer registry.

- :class:`HeldLine`: a sales line the partner had already reported (same invoice, SKU,
  quantity, amount and date, in this or another upload). It is moved out of the sales
  lines as the import stores them, so no figure counts it, until the partner confirms it
  is a true repeat (:class:`RepeatConfirmation`) and it goes back.
- :class:`ReportingCadence`: how often a partner reports and when each report is due (the
  row without a partner is the programme default); :class:`NothingSold` declares an empty
  period; :class:`ReportReminder` is the ledger of reminders sent (one per stage and day).
- :class:`PartnerPeriodQuality`: the data-quality score of a partner and period, rebuilt
  after imports and nightly, read by the scorecard, the leaderboard and the portal.
- :class:`Customer` and :class:`CustomerName`: the tenant's canonical end customers and
  every spelling partners used for them, linked automatically, by a CM, or sent to review.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.models import PlainDecimalField


class HeldLine(models.Model):
    """A reported line held out of the figures as a duplicate, with what it repeats.

    Same columns as the sales line it was, so releasing it is a plain copy back.
    """

    class Reason(models.TextChoices):
        SAME_PARTNER = "same_partner", _("Already reported by this partner")

    upload = models.ForeignKey(
        "reporting.Upload", on_delete=models.CASCADE, related_name="held_lines"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    #: The upload that already holds the same line (this one itself for a repeat within
    #: one file); null once that upload is gone.
    duplicate_of = models.ForeignKey(
        "reporting.Upload", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.SAME_PARTNER)
    invoice_number = models.TextField()
    invoice_date = models.DateField()
    reseller = models.TextField(blank=True)
    end_customer = models.TextField(blank=True)
    end_customer_country = models.TextField(blank=True)
    vendor_sku = models.CharField(max_length=64)
    partner_sku = models.TextField(blank=True)
    quantity = models.IntegerField()
    unit_price = PlainDecimalField()
    amount = PlainDecimalField()
    currency = models.CharField(max_length=3)
    amount_reporting = PlainDecimalField(null=True, blank=True)
    source_row = models.PositiveIntegerField()
    transaction_type = models.CharField(max_length=6)

    class Meta:
        verbose_name = _("duplicate line")
        verbose_name_plural = _("duplicate lines")
        ordering = ["source_row", "pk"]
        indexes = [
            models.Index(fields=["upload", "source_row"], name="heldline_upload_row"),
            models.Index(fields=["partner", "invoice_date"], name="heldline_partner_date"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} {self.vendor_sku} x{self.quantity} (held)"


class UploadSpan(models.Model):
    """The invoice dates an upload's lines cover, written as its lines are stored: the
    duplicate check compares date ranges of uploads instead of scanning their lines."""

    upload = models.OneToOneField(
        "reporting.Upload", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    first_date = models.DateField()
    last_date = models.DateField()

    def __str__(self) -> str:
        return f"{self.upload_id}: {self.first_date}..{self.last_date}"


class RepeatConfirmation(models.Model):
    """A partner's word that a held row of an upload is a true repeat sale: it counts, and
    processing the upload again does not hold it again."""

    upload = models.ForeignKey(
        "reporting.Upload", on_delete=models.CASCADE, related_name="repeat_confirmations"
    )
    source_row = models.PositiveIntegerField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "source_row"], name="repeat_once_per_row")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id} row {self.source_row}"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    WEEKLY = "weekly", _("Weekly")


class ReportingCadence(models.Model):
    """When a partner's sales reports are expected; the row without partner is the
    programme default for every partner without its own."""

    partner = models.OneToOneField(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reporting_cadence",
    )
    frequency = models.CharField(
        _("period"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    due_business_days = models.PositiveSmallIntegerField(
        _("due (business days after the period)"),
        default=10,
        help_text=_(
            "The report is due this many working days (Monday to Friday) after the period ends."
        ),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("first reminder (days before due)"), default=3
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        _("overdue reminder every (days)"), default=3
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporting cadence")
        verbose_name_plural = _("reporting cadences")
        constraints = [
            # NULLS NOT DISTINCT: one programme default (the row without a partner).
            models.UniqueConstraint(
                fields=["partner"], name="one_cadence_per_partner", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        who = self.partner or _("programme default")
        return f"{who}: {self.frequency}, +{self.due_business_days}"


class NothingSold(models.Model):
    """A partner's declaration that it sold nothing in a period: the period is received."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period_start = models.DateField()
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nothing-sold declaration")
        verbose_name_plural = _("nothing-sold declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "frequency", "period_start"], name="nothing_sold_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period_start} nothing sold"


class ReportReminder(models.Model):
    """One reminder about one partner's missing report: the ledger that makes the beat task
    send each stage once (running it twice the same day sends nothing more)."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before the due day")
        DUE = "due", _("On the due day")
        OVERDUE = "overdue", _("Overdue")

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    sent_on = models.DateField()
    recipients = models.JSONField(default=list)
    subjects = models.JSONField(default=list, help_text="The subject each recipient got.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "frequency", "period_start", "sent_on"],
                name="one_reminder_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.period_start} {self.stage} {self.sent_on}"


class PartnerPeriodQuality(models.Model):
    """Data quality of one partner's report for one month (summary; rebuilt, never edited)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    score = models.PositiveSmallIntegerField(null=True)
    figures = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="quality_once_a_month")
        ]
        indexes = [models.Index(fields=["month", "partner"], name="quality_month_partner")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m} {self.score}"


class TwoTierLine(models.Model):
    """A counted line whose sale another partner reported too: the same invoice number,
    SKU and quantity to the same registry customer (a distributor and its reseller both
    reporting one sale). One row per side, so both partners' reports show it; `counted`
    marks the side the sale belongs to (the tier closest to the customer, else the first
    reported): the one vendor-wide figures should keep."""

    upload = models.ForeignKey(
        "reporting.Upload", on_delete=models.CASCADE, related_name="two_tier_lines"
    )
    source_row = models.PositiveIntegerField()
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    other_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+"
    )
    other_upload = models.ForeignKey("reporting.Upload", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("quality.Customer", on_delete=models.CASCADE, related_name="+")
    invoice_number = models.TextField()
    invoice_date = models.DateField()
    vendor_sku = models.CharField(max_length=64)
    quantity = models.IntegerField()
    amount_reporting = PlainDecimalField(null=True)
    counted = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["partner", "invoice_date"], name="twotier_partner_date"),
            models.Index(fields=["other_upload"], name="twotier_other_upload"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} {self.vendor_sku} x{self.quantity} (two-tier)"


class UploadQuality(models.Model):
    """Quality figures of one upload, computed once after its import (a page must not
    scan a million lines): unknown SKUs, duplicates, unlinked customers, price
    anomalies, months covered."""

    upload = models.OneToOneField(
        "reporting.Upload", on_delete=models.CASCADE, related_name="quality"
    )
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.upload_id} {self.figures}"


class Customer(models.Model):
    """A canonical end customer of the tenant, whichever partner sold to it."""

    name = models.CharField(_("name"), max_length=255)
    country = models.CharField(_("country"), max_length=2, blank=True)
    domain = models.CharField(_("web domain"), max_length=255, blank=True)
    #: Folded name (no accents, legal forms or word order).
    key = models.CharField(max_length=255, db_index=True)
    #: Blocking keys of its name and of every spelling a person confirmed for it, so a
    #: confirmed spelling finds this customer next time.
    keys = ArrayField(models.CharField(max_length=255), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [GinIndex(fields=["keys"], name="customer_keys", fastupdate=False)]

    def __str__(self) -> str:
        return self.name


class LinkStatus(models.TextChoices):
    AUTO = "auto", _("Linked automatically")
    REVIEW = "review", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    NEW = "new", _("New customer")


class CustomerName(models.Model):
    """One spelling of an end customer as partners wrote it (with its country), and the
    canonical customer it stands for. Lines and registrations link through their text, so
    a confirmed link is learned for every later line with the same spelling."""

    name = models.TextField()
    country = models.CharField(max_length=2, blank=True)
    key = models.CharField(max_length=255, db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="names"
    )
    #: In review: the best candidate and its score.
    candidate = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(default=0)
    status = models.CharField(max_length=10, choices=LinkStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer spelling")
        verbose_name_plural = _("customer spellings")
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="customer_name_once")
        ]
        indexes = [models.Index(fields=["status"], name="customername_status")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country}) -> {self.customer_id}"

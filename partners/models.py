"""Partners of a vendor, the users who belong to them, and how a company becomes one.

Lifecycle (docs/product-rules.md): a company applies (PartnerApplication), a CM approves it, the
partner is created in `onboarding` and its first admin is invited; the partner admin
accepts the current programme agreement and the partner becomes `active`. Every status
change is kept in PartnerStatusChange (who, when, from -> to).
"""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from prm.core.deletion import LockBeforeDelete, LockBeforeDeleteQuerySet


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class PartnerType(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    DISTRIBUTOR = "distributor", _("Distributor")
    REFERRAL = "referral", _("Referral partner")
    MSP = "msp", _("Managed service provider")


class Tier(models.Model):
    """A level of the vendor's programme (e.g. Registered, Silver, Gold).

    A higher `rank` is a better tier. Requirements are yearly sales (in the vendor's
    reporting currency) and a number of certified reps; the benefit every app can read is
    the discount percentage.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("Higher ranks are better tiers.")
    )
    min_yearly_sales = models.DecimalField(
        _("yearly sales required"),
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text=_("Sales in the last 12 months, in the vendor's reporting currency."),
    )
    min_certified_reps = models.PositiveIntegerField(_("certified reps required"), default=0)
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=0
    )
    benefits = models.TextField(_("other benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


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
        # The table kept its name when the model moved here from channels.
        db_table = "channels_territory"
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partner(LockBeforeDelete, models.Model):
    """An independent company that sells the vendor's products.

    Its users see only its own data; a channel manager looks after it.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    email_domains = ArrayField(
        models.CharField(max_length=120),
        verbose_name=_("e-mail domains"),
        default=list,
        blank=True,
        help_text=_("People with these e-mail domains are suggested to join this partner."),
    )
    partner_type = models.CharField(
        _("type"), max_length=20, choices=PartnerType.choices, default=PartnerType.RESELLER
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
    )
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
    )
    currency = models.CharField(_("reporting currency"), max_length=3, default="USD")
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_partners",
        limit_choices_to={"role": "channel_manager"},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    #: Who changed what (partners.history shows it on the partner page).
    history = HistoricalRecords(excluded_fields=["created_at"])

    #: A deletion locks first: the worker files rows under new partners (prm.core.deletion).
    objects = LockBeforeDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def joined_on(self) -> dt.date:
        """The day (UTC) the partner was created: it owes no report for earlier periods."""
        return self.created_at.astimezone(dt.UTC).date()


class PartnerStatusChange(models.Model):
    """One step of a partner's lifecycle: append-only, newest first."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("from"), max_length=20, choices=PartnerStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=PartnerStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system made the change (e.g. an import)."),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("partner status change")
        verbose_name_plural = _("partner status changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.from_status or '-'} -> {self.to_status}"


class Membership(models.Model):
    """Ties a partner admin or rep to the one partner they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="memberships")
    certified_on = models.DateField(
        _("certified on"),
        null=True,
        blank=True,
        help_text=_("Date the rep passed the vendor's certification; counts toward tiers."),
    )

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PartnerApplication(models.Model):
    """A company's request, sent from the public page, to join the programme.

    Routed to the CM of the territory that covers its country (or left for any CM);
    approving it creates the Partner and invites the contact as its admin.
    """

    company_name = models.CharField(_("company name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country"), max_length=2)
    partner_type = models.CharField(
        _("type"), max_length=20, choices=PartnerType.choices, default=PartnerType.RESELLER
    )
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    message = models.TextField(_("about the company"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_applications",
        help_text=_("Empty: any channel manager may review it."),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )

    #: Who moved or decided it, and when (partners.history shows it on the application's
    #: page). What the applicant sent is not copied: the review never changes it, and
    #: their contact details stay in one row only.
    history = HistoricalRecords(
        excluded_fields=[
            "legal_name",
            "website",
            "contact_name",
            "contact_email",
            "contact_phone",
            "message",
            "language",
        ]
    )

    class Meta:
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return self.company_name


class Invitation(models.Model):
    """An e-mailed, single-use, expiring link to join a partner as admin or rep.

    The link's token is an HMAC of this row (see `partners.invitations.invitation_token`),
    so nothing in the database alone lets someone accept it; `nonce` changes when the
    invitation is re-sent, which invalidates older links.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20)
    nonce = models.CharField(max_length=32, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} -> {self.partner}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AgreementVersion(models.Model):
    """A published version of the programme terms; the highest number is current."""

    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("terms"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"


class AgreementAcceptance(models.Model):
    """A partner admin accepted one version on behalf of their partner (who, when)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "version"], name="one_acceptance_per_partner_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} v{self.version.number}"

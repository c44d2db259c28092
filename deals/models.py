"""Deal registrations, their lines, conflicts, append-only history and the programme rules.

A partner rep registers a customer opportunity (a :class:`Deal` with :class:`DealLine`
rows from the vendor's catalogue); on submit, :mod:`deals.conflicts` compares it with open
registrations of other partners and the vendor's :class:`DirectAccount` list and stores
each candidate as a :class:`DealConflict`. Every change is a :class:`DealEvent`, which
nobody can edit or delete (the model refuses, and a database trigger refuses too).

Writes go through :mod:`deals.services`, reads through :mod:`deals.selectors`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals import matching


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFORMATION = "more_information", _("More information needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")


#: Registrations that still claim their customer: these are the conflict candidates.
OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.MORE_INFORMATION, DealStatus.APPROVED)


class CustomerIdentity(models.Model):
    """Customer fields shared by deals and direct accounts, with their matching keys.

    The derived columns are what the candidate query indexes (see :mod:`deals.matching`);
    :meth:`refresh_matching_keys` fills them and every service calls it before saving.
    """

    customer_name = models.CharField(_("customer company"), max_length=200)
    customer_domain = models.CharField(_("website or e-mail domain"), max_length=254, blank=True)
    customer_country = models.CharField(_("country"), max_length=2, blank=True)
    customer_domain_key = models.CharField(max_length=254, blank=True, editable=False)
    customer_name_keys = ArrayField(
        models.CharField(max_length=200), default=list, blank=True, editable=False
    )
    customer_name_forms = ArrayField(
        models.CharField(max_length=200), default=list, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def refresh_matching_keys(self) -> None:
        self.customer_country = (self.customer_country or "").strip().upper()
        self.customer_domain_key = matching.domain_key(self.customer_domain)
        self.customer_name_keys = matching.name_keys(self.customer_name)
        self.customer_name_forms = sorted(matching.company_name_variants(self.customer_name))


class Product(models.Model):
    """An item of the vendor's catalogue: what deals register and partner reports sell."""

    vendor_sku = models.CharField(_("vendor SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["vendor_sku"]

    def __str__(self) -> str:
        return f"{self.vendor_sku} - {self.name}"


class PriceBook(models.Model):
    """The vendor's prices in one currency, optionally for one partner tier, for a period.

    A deal line takes its list price from the book in the deal's currency valid on the
    registration date (the partner's tier's book before a book for every tier); a product
    in no such book is priced by converting its catalogue price (see :mod:`deals.pricing`).
    """

    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 code."))],
    )
    tier = models.ForeignKey(
        "partners.Tier",
        verbose_name=_("tier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: for every tier."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: until further notice.")
    )

    class Meta:
        verbose_name = _("price book")
        verbose_name_plural = _("price books")
        ordering = ["currency", "-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="pricebook_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class PriceBookEntry(models.Model):
    """One product's price in a :class:`PriceBook` (in the book's currency)."""

    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(
        "deals.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("price book entry")
        verbose_name_plural = _("price book entries")
        ordering = ["product__vendor_sku"]
        constraints = [
            models.UniqueConstraint(fields=["price_book", "product"], name="pricebookentry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price}"


class DirectAccount(CustomerIdentity):
    """A customer the vendor sells to directly: partners' registrations of it conflict."""

    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("direct account")
        verbose_name_plural = _("direct accounts")
        ordering = ["customer_name"]
        indexes = [
            models.Index(
                fields=["customer_domain_key"],
                name="directaccount_domain_key",
                condition=~Q(customer_domain_key=""),
            ),
            GinIndex(
                fields=["customer_name_keys"], name="directaccount_name_keys", fastupdate=False
            ),
        ]

    def __str__(self) -> str:
        return self.customer_name

    def save(self, *args, **kwargs):
        # Accounts are edited in the tenant admin and imported: keys follow the name always.
        self.refresh_matching_keys()
        super().save(*args, **kwargs)


class Deal(CustomerIdentity):
    """A partner's registration of a customer opportunity, from draft to won/lost/expired.

    ``version`` grows with every change; a service given an older version refuses, so two
    people deciding the same deal at once cannot both succeed (see deals.services).
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="deals", editable=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registered_deals",
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DealStatus.choices, default=DealStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    expected_value = models.DecimalField(
        _("expected value"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    value_overridden = models.BooleanField(_("value entered by hand"), default=False)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_deals",
    )
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    conflict_score = models.PositiveSmallIntegerField(_("conflict score"), null=True, blank=True)
    conflicts_checked_at = models.DateTimeField(null=True, blank=True)

    #: Set while an extension request waits for the CM; cleared by the decision.
    extension_requested_until = models.DateField(
        _("extension requested until"), null=True, blank=True
    )
    extension_reason = models.TextField(_("extension reason"), blank=True)

    final_amount = models.DecimalField(
        _("final amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    lost_reason = models.TextField(_("reason lost"), blank=True)

    #: Days-before-expiry of the last expiry reminder sent (14, then 3); reset on extension.
    #: Makes the reminder job idempotent: running it twice a day sends nothing twice.
    last_expiry_reminder = models.PositiveSmallIntegerField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    #: The catalogue products of the lines, kept by the services that write lines: conflict
    #: checks read them for up to 100 candidates, and a subquery per candidate cost more
    #: than the rest of the check (bench/conflicts.py).
    product_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        ordering = ["-created_at"]
        indexes = [
            # Not partial on the open statuses: the ORM writes the status list as a text[]
            # constant while the index predicate holds a cast varchar array, and PostgreSQL
            # cannot prove one implies the other, so it ignored a partial index and scanned
            # the table (bench/conflicts.py caught it). The status filter runs on the few
            # rows the index returns.
            # fastupdate off: with it, new rows wait in a pending list that every lookup
            # scans linearly until vacuum merges it (20 ms at 20k rows in the bench). Deals
            # are registered a few at a time, so paying the index update on insert is cheap.
            models.Index(fields=["customer_domain_key"], name="deal_domain_key"),
            GinIndex(fields=["customer_name_keys"], name="deal_name_keys", fastupdate=False),
            models.Index(fields=["status", "submitted_at"], name="deal_status_submitted"),
            # Reconciliation reads the registrations of a customer name, oldest first, and
            # skips through the distinct names (reporting.analytics.reconciliation).
            models.Index(fields=["customer_name", "id"], name="deal_customer_name"),
            models.Index(
                fields=["protected_until"],
                name="deal_approved_protection",
                condition=Q(status=DealStatus.APPROVED),
            ),
            models.Index(fields=["partner", "status"], name="deal_partner_status"),
            # The work queue counts and lists the extension requests on every workspace
            # page; few approved deals have one, so without this index PostgreSQL read
            # every approved deal's row to find none (85 ms at 32,000 approved deals).
            models.Index(
                fields=["protected_until", "id"],
                name="deal_extension_requests",
                condition=Q(status=DealStatus.APPROVED, extension_requested_until__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=DealStatus.APPROVED) | Q(protected_until__isnull=False),
                name="deal_approved_has_protection",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0"))

    def days_of_protection_left(self, today=None) -> int | None:
        if self.status != DealStatus.APPROVED or not self.protected_until:
            return None
        today = today or timezone.localdate()
        return (self.protected_until - today).days


class DealLine(models.Model):
    """One catalogue product and quantity of a registration."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="deal_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    #: The vendor's list price in the deal's currency on the registration date (from a
    #: price book or converted); None when none could be worked out. ``unit_price`` is the
    #: partner's quoted price when they entered one, else this.
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "product"], name="dealline_one_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product.vendor_sku}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class DealConflict(models.Model):
    """A candidate conflict found for ``deal``: another open registration or a direct account.

    ``reasons`` keeps the matching reasons as data (code, template, params) so they render
    in each reader's language. Only vendor staff ever see these rows.
    """

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conflicts")
    other_deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicted_by"
    )
    direct_account = models.ForeignKey(
        DirectAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts"
    )
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deal conflict")
        verbose_name_plural = _("deal conflicts")
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_deal__isnull=False, direct_account__isnull=True)
                | Q(other_deal__isnull=True, direct_account__isnull=False),
                name="dealconflict_one_counterpart",
            ),
            models.UniqueConstraint(fields=["deal", "other_deal"], name="dealconflict_unique_deal"),
            models.UniqueConstraint(
                fields=["deal", "direct_account"], name="dealconflict_unique_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id} ~ {self.other_deal_id or self.direct_account_id} ({self.score})"

    @property
    def is_likely(self) -> bool:
        return self.score >= matching.LIKELY_THRESHOLD

    def reason_objects(self) -> list[matching.Reason]:
        return [matching.Reason(**reason) for reason in self.reasons]


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove recorded history."""


class DealEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Deal history cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Deal history cannot be deleted.")


class DealEvent(models.Model):
    """One entry of a deal's history: who did what, when, from which status to which.

    Append-only: saving an existing row, deleting, and queryset update/delete all raise,
    and a trigger in the migration refuses UPDATE and DELETE in the database itself.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted")
        CONFLICTS_CHECKED = "conflicts_checked", _("Conflicts checked")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        INFORMATION_REQUESTED = "information_requested", _("More information requested")
        WON = "won", _("Closed as won")
        LOST = "lost", _("Closed as lost")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_GRANTED = "extension_granted", _("Extension granted")
        EXTENSION_DENIED = "extension_denied", _("Extension denied")
        EXPIRED = "expired", _("Expired")
        REMINDER_SENT = "reminder_sent", _("Reminder sent")
        REPRICED = "repriced", _("Prices corrected")

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted (expiry, reminders)."),
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=DealStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=DealStatus.choices, blank=True)
    comment = models.TextField(blank=True)
    #: The PostgreSQL transaction that wrote the entry, filled by the database (no writer
    #: sets it): reconciliation reads the entries of transactions that ended after its last
    #: run. Ids are handed out before commit, so "entries after the last id seen" misses an
    #: entry committed late with a smaller id; transaction ids and snapshots do not. 0 for
    #: entries written before the column existed (deals/0012).
    xact_id = models.BigIntegerField(
        db_default=models.Func(
            template="pg_current_xact_id()::text::bigint", output_field=models.BigIntegerField()
        ),
        editable=False,
    )

    objects = DealEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("deal history entry")
        verbose_name_plural = _("deal history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["xact_id"], name="dealevent_xact")]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Deal history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Deal history cannot be deleted.")


class Notification(models.Model):
    """A message to one user about one deal, shown in the app and e-mailed.

    Stored as a kind plus parameters, not as text, so it reads in the language of whoever
    opens it (see :mod:`deals.notifications`). Partner users' notifications never name
    another partner.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Registration submitted")
        APPROVED = "approved", _("Registration approved")
        REJECTED = "rejected", _("Registration rejected")
        MORE_INFORMATION = "more_information", _("More information needed")
        EXPIRY_REMINDER = "expiry_reminder", _("Protection ending")
        EXPIRED = "expired", _("Registration expired")
        REVIEW_OVERDUE = "review_overdue", _("Review overdue")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_GRANTED = "extension_granted", _("Extension granted")
        EXTENSION_DENIED = "extension_denied", _("Extension denied")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deal_notifications"
    )
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"

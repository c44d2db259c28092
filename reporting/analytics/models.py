"""Summary tables and reconciliation findings (exchange rates: reporting.models).

Dashboards never scan raw sales lines or deals on a request: they read the summary tables
below, which :mod:`reporting.analytics.services` rebuilds per partner (set-based SQL, one
transaction) from a Celery task queued after each import, deal change and rate change.
Raw sales lines are reached only through :mod:`reporting.analytics.sources`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Func
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Exchange rates belong to reporting (imports convert amounts with them); kept importable
# from here for the pages and imports of rates.
from reporting.models import ExchangeRate, currency_code  # noqa: E402,F401


class SalesMonthProduct(models.Model):
    """Summary: a partner's reported sales of one product in one month, country and currency.

    ``amount`` stays in the line currency; ``amount_reporting`` is converted at the rate
    valid on each invoice date (lines without a rate are counted in ``unconverted_lines``
    and left out of ``amount_reporting``).
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    vendor_sku = models.CharField(max_length=64)
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    quantity = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    amount_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    line_count = models.IntegerField(default=0)
    unconverted_lines = models.IntegerField(default=0)
    #: When the first upload with lines of this month arrived (reporting timeliness).
    first_reported_at = models.DateTimeField(null=True)
    #: The partner's CM when the row was built (its TenantMonth rows are filed under it).
    channel_manager_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["partner", "month"], name="salesmonthproduct_pm"),
            # Covering: a CM's product figures are an index-only scan of their partners.
            models.Index(
                fields=["partner", "month"],
                name="salesmonthproduct_cover",
                include=["vendor_sku", "currency", "amount_reporting", "quantity"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m} {self.vendor_sku} {self.amount_reporting}"


class SalesMonth(models.Model):
    """Summary: a partner's reported sales of one month in one currency (rolled up from
    :class:`SalesMonthProduct`); the leaderboard and time series read this one."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    currency = models.CharField(max_length=3)
    quantity = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    amount_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    line_count = models.IntegerField(default=0)
    unconverted_lines = models.IntegerField(default=0)
    first_reported_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["partner", "month"], name="salesmonth_pm"),
            models.Index(fields=["month", "partner"], name="salesmonth_mp"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m} {self.amount_reporting}"


class SalesMonthCountry(models.Model):
    """Summary: a partner's reported sales of one month to one end-customer country, in one
    currency (rolled up from :class:`SalesMonthProduct`)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    country = models.CharField(max_length=2)
    currency = models.CharField(max_length=3)
    quantity = models.BigIntegerField(default=0)
    amount_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    line_count = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["partner", "month"], name="salesmonthcountry_pm")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m} {self.country} {self.amount_reporting}"


class TenantMonth(models.Model):
    """Rollup of partners' sales of one month (and dimension value) per channel manager,
    for readers who see whole portfolios without filters: vendor admins (every row) and
    CMs (their ``channel_manager_id``) read a few rows per month instead of one per
    partner. ``dimension`` is "total", "sku" or "country"; ``key`` its value.

    ``channel_manager_id`` is the partners' CM when their summary was built; a CM's rows
    are used only while :class:`RollupPartner` still matches today's assignments.
    ``vendor_wide`` rows add up every partner whatever their CM: a vendor admin reads
    those (one row per month and key) instead of summing every CM's rows.

    One row per key: a partner's refresh takes its old figures out of the matching rows
    and adds its new ones (upserts), so the table never grows with refreshes.
    """

    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=64, blank=True)
    month = models.DateField()
    currency = models.CharField(max_length=3)
    channel_manager_id = models.BigIntegerField(null=True)
    vendor_wide = models.BooleanField(default=False)
    quantity = models.BigIntegerField(default=0)
    amount_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    line_count = models.IntegerField(default=0)
    unconverted_lines = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # NULLS NOT DISTINCT: partners without a CM share one row per key too.
            models.UniqueConstraint(
                fields=[
                    "dimension",
                    "key",
                    "month",
                    "currency",
                    "channel_manager_id",
                    "vendor_wide",
                ],
                name="tenantmonth_key",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(
                fields=["dimension", "month"],
                condition=models.Q(vendor_wide=True),
                name="tenantmonth_wide_dm",
            ),
            models.Index(
                fields=["channel_manager_id", "dimension", "month"], name="tenantmonth_cdm"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.key} {self.month:%Y-%m} {self.amount_reporting}"


class RollupPartner(models.Model):
    """The CM each partner's figures are filed under in :class:`TenantMonth`.

    Compared with today's assignments on every CM read: any difference (a reassignment
    not yet refreshed, a new partner) and the CM's figures come from the partner-level
    summaries instead, so a rollup never shows a CM another CM's partners.
    """

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    channel_manager_id = models.BigIntegerField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.partner_id} -> {self.channel_manager_id}"


class SalesChangedMonth(models.Model):
    """A month of a partner whose raw sales lines changed since its summaries were built.

    Lines removed or updated are noted by database triggers on the sales lines table,
    whoever writes them (a re-import replacing its lines, the deletion of an upload);
    lines added are noted by their writer through the sales-changed hook (an import, held
    repeats counted again), which knows their months without a trigger keeping every
    line of a COPY (migration 0011). After an import only these months are
    summarised again, not the partner's whole history. Rows may repeat (no unique key:
    two imports of one partner never wait for each other here); a refresh deletes the
    rows it has covered.
    """

    partner_id = models.BigIntegerField()
    month = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["partner_id", "month"], name="sales_changed_partner")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m}"


class ReconciliationChange(models.Model):
    """What changed in a partner's sales lines since its findings were computed: a month
    with lines added (``month``; noted by the sales-changed hook) or an end customer whose
    lines were removed or updated (``end_customer``; noted by the triggers on the lines,
    migration 0012). The reconciliation after an import takes (deletes) the partner's rows
    and reconciles only the end customers they name, in the transaction that writes the
    findings: a crash leaves the rows and the old findings. No unique key, as for
    :class:`SalesChangedMonth`.

    While a partner has rows here its findings are not current: the reconciliation page
    and the scorecard say so (``selectors.findings_freshness``). ``noted_at`` is the
    database's clock when the row was written (not the transaction's start: the hook
    writes at the end of an import that may have run for minutes), so a note no queued
    run will take (lines deleted outside an import) can be told from a run on its way.
    """

    partner_id = models.BigIntegerField()
    # One or the other: NULL, not '', for "no customer" (the triggers write names only).
    month = models.DateField(null=True)
    end_customer = models.TextField(null=True)  # noqa: DJ001
    noted_at = models.DateTimeField(
        db_default=Func(function="clock_timestamp", output_field=models.DateTimeField())
    )

    class Meta:
        indexes = [models.Index(fields=["partner_id"], name="recon_change_partner")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month or self.end_customer}"


class ReconciledPartner(models.Model):
    """A partner whose findings a full reconciliation computed, so later runs may
    reconcile only what :class:`ReconciliationChange` notes and the registrations changed
    since. A partner without a row (never reconciled, its lines truncated, or reconciled
    before ``deal_xmin`` existed) is reconciled in full."""

    partner_id = models.BigIntegerField(primary_key=True)
    #: When the last full run computed every finding of the partner.
    reconciled_at = models.DateTimeField()
    #: When the last run, full or incremental (one that found nothing to redo included),
    #: brought the partner's findings up to date with its lines and registrations: the
    #: "findings as of" of the pages. The database default serves writers that do not
    #: name it (code older than the column, while tenants are migrated).
    findings_at = models.DateTimeField(db_default=Now())
    #: The oldest transaction still running when the partner's last run started
    #: (``pg_snapshot_xmin``): that run read every deal history entry of the transactions
    #: below it, so the next run reads the entries with ``DealEvent.xact_id`` from it on.
    deal_xmin = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.partner_id)


class DealMonth(models.Model):
    """Summary: a partner's registrations submitted in one month, by status and currency.

    Values are converted at the rate of the submission date. ``decision_seconds`` adds up
    submission-to-decision times of the ``decided_count`` decided deals.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    status = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    deal_count = models.IntegerField(default=0)
    expected_value = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    expected_value_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    final_amount_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    unconverted_deals = models.IntegerField(default=0)
    decided_count = models.IntegerField(default=0)
    decision_seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["partner", "month"], name="dealmonth_pm")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m} {self.status} x{self.deal_count}"


class TenantDealMonth(models.Model):
    """Rollup of every partner's :class:`DealMonth` rows, by month, status and currency:
    the vendor admin's unfiltered pipeline reads a few rows per month instead of one per
    partner. Kept by upserts like :class:`TenantMonth` (one row per key)."""

    month = models.DateField()
    status = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    deal_count = models.IntegerField(default=0)
    expected_value_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    final_amount_reporting = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    unconverted_deals = models.IntegerField(default=0)
    decided_count = models.IntegerField(default=0)
    decision_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "status", "currency"], name="tenantdealmonth_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status} x{self.deal_count}"


class SummaryRefresh(models.Model):
    """When a summary was last rebuilt, shown on dashboards ("figures as of ...")."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField(default=timezone.now)
    partners = models.IntegerField(null=True, help_text="None: every partner was rebuilt.")
    rows = models.IntegerField(default=0)
    duration_ms = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.refreshed_at:%Y-%m-%d %H:%M}"


class FindingKind(models.TextChoices):
    MATCH = "match", _("Sale matches a registration")
    WON_NO_SALE = "won_no_sale", _("Won deal without reported sales")
    CONFLICT = "conflict", _("Sale to a customer another partner registered")
    UNREGISTERED = "unregistered", _("Sale without a registration")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class FindingCount(models.Model):
    """How many findings a partner has of each kind and status, kept by database triggers
    on ReconciliationFinding (created with this model's migration) whoever writes the
    findings: reconciliation, decisions, deletions. The dashboards and the reconciliation
    page count findings here (a few rows a partner) instead of reading every finding of
    their scope.

    ``partner_id`` has no foreign key: deleting a partner deletes its findings first,
    which brings its counts to zero; zero rows are harmless and not read as findings.
    """

    partner_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    status = models.CharField(max_length=20, choices=FindingStatus.choices)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner_id", "kind", "status"], name="findingcount_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.kind} {self.status}: {self.n}"


class ReconciliationFinding(models.Model):
    """One result of reconciling a partner's reported sales with registrations.

    ``partner`` is the partner whose sales (or won deal) it is about; ``deal`` the
    registration involved (for a conflict: the *other* partner's registration). Sales are
    grouped per end customer (``customer_key`` is the normalised name). Recomputing keeps
    a CM's decision (``status``) and updates the figures.
    """

    kind = models.CharField(_("finding"), max_length=20, choices=FindingKind.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    deal = models.ForeignKey(
        "deals.Deal",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    customer_key = models.CharField(max_length=200, blank=True)
    end_customer = models.CharField(_("end customer"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    products = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    first_invoice_date = models.DateField(_("first invoice"), null=True, blank=True)
    last_invoice_date = models.DateField(_("last invoice"), null=True, blank=True)
    line_count = models.IntegerField(_("lines"), default=0)
    amount_reporting = models.DecimalField(_("amount"), max_digits=20, decimal_places=4, default=0)
    name_score = models.PositiveSmallIntegerField(_("name similarity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    detected_at = models.DateTimeField(default=timezone.now)
    #: When a reconciliation run last found it with other figures (or first found it);
    #: open findings a run no longer produces are removed, decided ones stay.
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reconciliation finding")
        verbose_name_plural = _("reconciliation findings")
        ordering = ["status", "-amount_reporting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "partner", "deal", "customer_key"],
                name="finding_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(fields=["partner", "kind", "status"], name="finding_pks"),
            # The reconciliation page's order (status, largest amount first), unfiltered
            # and by kind: its first page is read from the index, not sorted from
            # every finding of the scope (1.6 million on a large vendor).
            models.Index(F("status"), F("amount_reporting").desc(), F("id"), name="finding_page"),
            models.Index(
                F("kind"),
                F("status"),
                F("amount_reporting").desc(),
                F("id"),
                name="finding_kind_page",
            ),
            # The work queue's oldest open conflicts and won deals without sales: a few
            # percent of the findings, read in this order.
            models.Index(
                fields=["detected_at", "id"],
                condition=models.Q(status="open", kind__in=["conflict", "won_no_sale"]),
                name="finding_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.end_customer or self.deal_id}"


# --- Reconciliation's name matching, computed once per name -----------------------------------
#
# Reconciliation compares each reported end customer with registrations' customer names. A
# tenant has far fewer distinct names (on the seed_scale data 17,546 reported names, 4,856
# registered ones) than partner-customer pairs (1.1 million): the keys and the similarity of
# two names are pure functions of the names, so they are computed once per name (pair) and
# kept here, not per partner and run. Filled by reporting.analytics.reconciliation.


class SaleCustomerName(models.Model):
    """A distinct end-customer name of reported sales, with its matching keys."""

    name = models.TextField(unique=True)
    #: The normalised name (what findings are grouped by).
    customer_key = models.CharField(max_length=200)
    #: deals.matching.name_query_keys: every key ranks candidates ...
    keys = ArrayField(models.CharField(max_length=200), default=list)
    #: ... the whole-name and pair keys find them (single words are no evidence).
    strong_keys = ArrayField(models.CharField(max_length=200), default=list)

    class Meta:
        indexes = [GinIndex(fields=["strong_keys"], name="salename_strong_keys", fastupdate=False)]

    def __str__(self) -> str:
        return self.name


class RegisteredCustomerName(models.Model):
    """A distinct customer name of registrations that reconciliation has matched."""

    name = models.TextField(unique=True)
    #: The normalised name (the key of a won registration's finding).
    customer_key = models.CharField(max_length=200)
    #: The registrations' customer_name_keys (deals.matching.name_keys of the name).
    keys = ArrayField(models.CharField(max_length=200), default=list)

    class Meta:
        indexes = [GinIndex(fields=["keys"], name="registeredname_keys", fastupdate=False)]

    def __str__(self) -> str:
        return self.name


class CustomerNameMatch(models.Model):
    """A reported name and a registered name sharing a strong key, similar enough to be
    the same company (score >= reconciliation.MATCH_SIMILARITY)."""

    sale_name = models.TextField()
    registered_name = models.TextField()
    score = models.PositiveSmallIntegerField()
    #: How many of the sale name's keys the registered name has (ranks candidates).
    shared_keys = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sale_name", "registered_name"], name="namematch_unique"
            )
        ]
        # The registered side: a partner's own registrations are looked up by their name.
        indexes = [models.Index(fields=["registered_name"], name="namematch_registered")]

    def __str__(self) -> str:
        return f"{self.sale_name} ~ {self.registered_name} ({self.score})"

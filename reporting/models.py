"""Partner sales reports: uploads, their processing, column mappings, SKU aliases, lines.

A partner (or a CM on its behalf) uploads a report (:class:`Upload`); a Celery task
detects its layout and maps its columns with the ingestion core (`reporting.ingest`),
reusing the partner's :class:`ColumnMapping` for that header layout or stopping at
"needs mapping"; then every row becomes a :class:`SalesLine` or an :class:`UploadError`,
written with PostgreSQL COPY in one transaction. Each processing attempt is an
:class:`ImportRun`. Partner part numbers resolve through :class:`SkuAlias`. A report
taken back leaves an :class:`UploadWithdrawal` behind.

Writes go through :mod:`reporting.services` (imports: :mod:`reporting.importing`), reads
through :mod:`reporting.selectors`.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import connection, connections, models, transaction
from django.db.models import Q, Subquery
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils.translation import gettext_lazy as _

from prm.core.deletion import LockBeforeDelete, LockBeforeDeleteQuerySet

currency_code = RegexValidator(r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 code, e.g. EUR."))


class PlainDecimalField(models.DecimalField):
    """`numeric` without precision or scale: PostgreSQL keeps each value as written.

    Amounts keep their currency's minor units exactly as normalised ("19200.00" for USD,
    "21158200" for VND), so `export_sales` prints them back unchanged. `max_digits` and
    `decimal_places` still bound what forms and the ORM accept.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 38)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return "numeric"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    NEEDS_MAPPING = "needs_mapping", _("Columns to confirm")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class Upload(LockBeforeDelete, models.Model):
    """One report file a partner sent, and where its processing stands.

    The file is stored under a generated name in the tenant's storage, never under the
    name the uploader's computer gave it. The same bytes (SHA-256) are accepted once per
    partner. `status`, `progress` and the counts are the job row the status page polls.
    """

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="uploads",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for imports run from the command line."),
    )
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="reports/", max_length=255)
    size = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file_info = models.JSONField(_("detected format"), default=dict, blank=True)
    proposal = models.JSONField(_("proposed mapping"), default=dict, blank=True)
    mapping = models.JSONField(
        _("mapping used"),
        default=list,
        blank=True,
        help_text=_("The canonical field of each column, in column order."),
    )
    encoding = models.CharField(_("encoding chosen"), max_length=40, blank=True)
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    line_count = models.PositiveIntegerField(_("sales lines"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    skipped_rows = models.PositiveIntegerField(_("totals and blank rows"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # When its task was last sent. The stalled-import sweep re-sends a task that no worker
    # started for a while (a worker killed after taking the message) once per threshold,
    # not on every sweep.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Every line of the upload has an id between these two (both null: no lines). An
    # import's ids are one block (`importing._LineIds`), so the upload's lines are found
    # through the primary key (`lines_of_upload`), where an index on upload_id cost COPY
    # an entry per line. Other lines may lie in between (a held line counted after all
    # gets a new id and widens the range; lines imported before ranges existed): readers
    # also compare upload_id.
    first_line_id = models.BigIntegerField(null=True, blank=True, editable=False)
    last_line_id = models.BigIntegerField(null=True, blank=True, editable=False)

    #: A deletion locks first: the worker files quality figures and two-tier pairs under
    #: an upload after its import (prm.core.deletion).
    objects = LockBeforeDeleteQuerySet.as_manager()

    class Meta:
        verbose_name = _("report upload")
        verbose_name_plural = _("report uploads")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "sha256"], name="upload_once_per_partner")
        ]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="upload_partner_recent"),
            # The work queue counts the uploads waiting on staff on every workspace page;
            # they are a handful among every report ever sent (a scan of 119,000 uploads
            # in the bench). The condition is the queue's filter word for word, so that
            # PostgreSQL can tell the index holds every row the queue asks for.
            models.Index(
                fields=["created_at"],
                name="upload_waiting_on_staff",
                condition=Q(status=UploadStatus.NEEDS_MAPPING)
                | Q(status=UploadStatus.DONE, error_rows__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.partner})"

    @property
    def is_running(self) -> bool:
        return self.status in (UploadStatus.QUEUED, UploadStatus.PROCESSING)


class UploadWithdrawal(models.Model):
    """A report its partner or the vendor took back: who withdrew which file, when, and
    what left the figures with it. Kept after the upload, its lines and its file are gone,
    so the partner's CM can tell why a month's sales changed (docs/product-rules.md,
    "Sales reports"). Written only by `reporting.services.upload_withdraw`."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="upload_withdrawals",
    )
    # The upload's id when it existed, for support; no key: the upload is gone.
    upload_id = models.BigIntegerField(_("upload id"))
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    status = models.CharField(
        _("status when withdrawn"), max_length=20, choices=UploadStatus.choices
    )
    line_count = models.PositiveIntegerField(_("sales lines removed"), default=0)
    #: The months whose sales changed ("2026-09"), oldest first.
    months = models.JSONField(_("months affected"), default=list, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), auto_now_add=True)

    class Meta:
        verbose_name = _("withdrawn report")
        verbose_name_plural = _("withdrawn reports")
        ordering = ["-withdrawn_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "-withdrawn_at"], name="withdrawal_partner_recent")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.partner}), withdrawn {self.withdrawn_at:%Y-%m-%d}"


class ImportRun(models.Model):
    """One processing attempt of an upload: who asked, when, and what came out.

    Re-processing (after a CM adds SKU aliases) adds a run; the upload's lines are
    replaced each time, the runs stay as history.
    """

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=20, choices=UploadStatus.choices)
    # Written while the import runs, from a second connection. Not on the upload row: the
    # lines reference the upload, and each committed update of a referenced row makes
    # every one of their foreign-key checks at commit walk one more row version.
    progress = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    skipped_rows = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    # The run's last sign of life: set when it starts and with every progress write. An
    # unfinished run whose heartbeat is old lost its worker (reporting.importing
    # .stalled_imports_recover). On the run, not the upload, for the reason above.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.upload_id} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class ColumnMapping(models.Model):
    """A partner's confirmed mapping for one header layout (its signature).

    The next upload with the same headers is mapped with it, without asking. The
    encoding and date order confirmed with it are the partner's saved choices.
    """

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="column_mappings"
    )
    signature = models.CharField(_("header signature"), max_length=64)
    headers = models.JSONField(_("headers"), default=list)
    fields = models.JSONField(_("fields"), default=list)
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    date_order = models.CharField(_("date order"), max_length=3, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["partner", "signature"], name="mapping_per_layout")
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {', '.join(self.headers)[:80]}"


class SkuAlias(models.Model):
    """A partner's own part number for a catalogue product."""

    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="sku_aliases",
    )
    partner_sku = models.CharField(_("partner part number"), max_length=100)
    product = models.ForeignKey(
        "deals.Product",
        verbose_name=_("vendor SKU"),
        on_delete=models.PROTECT,
        related_name="aliases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("SKU alias")
        verbose_name_plural = _("SKU aliases")
        ordering = ["partner__name", "partner_sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "partner_sku"], name="alias_once_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_sku} -> {self.product.vendor_sku}"


class TransactionType(models.TextChoices):
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")


class SalesLineQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Lines written through the ORM (the imports COPY theirs) take their ids under
        the line-id lock, as every writer of lines does (`hold_line_ids`), and widen their
        uploads' id ranges, by which readers find an upload's lines."""
        with transaction.atomic(using=self.db):
            with connections[self.db].cursor() as cursor:
                hold_line_ids(cursor)
            created = super().bulk_create(objs, *args, **kwargs)
            _widen_line_ranges(created)
        return created


def _widen_line_ranges(lines) -> None:
    spans: dict[int, tuple[int, int]] = {}
    for line in lines:
        low, high = spans.get(line.upload_id, (line.pk, line.pk))
        spans[line.upload_id] = (min(low, line.pk), max(high, line.pk))
    for upload_id, (low, high) in spans.items():
        Upload.objects.filter(pk=upload_id).update(
            first_line_id=Least(Coalesce("first_line_id", low), low),
            last_line_id=Greatest(Coalesce("last_line_id", high), high),
        )


class SalesLine(models.Model):
    """One canonical sales line (docs/report-pipeline.md), written by COPY, never row by row.

    Text columns are text (a partner's long customer name must not fail a whole
    import). The source row number traces a line back to the partner's file, which is
    kept: `selectors.source_rows_of` reads the row as the partner wrote it from there.
    (The row itself was stored on every line until it was found to be ~40 % of what an
    import writes, for something only a person tracing one line ever reads.)
    """

    # No database foreign keys: each would queue one check per line, run at commit (a
    # third of a million-line import). The import checks its upload once instead, and
    # holds it until commit (reporting.importing._store); the upload's own foreign key
    # keeps its partner. Deleting an upload deletes its lines in the database (a trigger,
    # migrations 0004 and 0008), whoever deletes it; the ORM leaves it to the trigger,
    # which finds them by the upload's id range. The partner index is the leading column
    # of line_partner_date. No index on upload: an upload's lines are found by its id
    # range (`Upload.first_line_id`), where even a BRIN index cost COPY a look-up per line.
    upload = models.ForeignKey(
        Upload,
        on_delete=models.DO_NOTHING,
        related_name="lines",
        db_constraint=False,
        db_index=False,
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="sales_lines",
        db_constraint=False,
        db_index=False,
    )
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
    amount_reporting = PlainDecimalField(
        null=True, blank=True, help_text="Amount in the tenant's reporting currency."
    )
    source_row = models.PositiveIntegerField()
    transaction_type = models.CharField(max_length=6, choices=TransactionType.choices)

    objects = SalesLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales lines")
        indexes = [
            models.Index(fields=["partner", "invoice_date"], name="line_partner_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(transaction_type__in=["sale", "return"]), name="line_type_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number} {self.vendor_sku} x{self.quantity}"

    def save(self, *args, **kwargs):
        """A line written on its own (the imports COPY theirs) takes its id under the
        line-id lock (`hold_line_ids`) and widens its upload's id range, by which readers
        find the upload's lines."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                hold_line_ids(cursor)
            super().save(*args, **kwargs)
            _widen_line_ranges([self])


def lines_of_upload(alias: str, upload: str) -> str:
    """SQL: the rows of `alias` (reporting_salesline) that are lines of the upload whose
    id is the expression `upload`, found through the primary key by the upload's id range
    (`Upload.first_line_id`); `upload` is evaluated three times, so a parameter or a
    column, not a query."""
    uploads = Upload._meta.db_table
    return (
        f"{alias}.id BETWEEN (SELECT first_line_id FROM {uploads} WHERE id = {upload}) "
        f"AND (SELECT last_line_id FROM {uploads} WHERE id = {upload}) "
        f"AND {alias}.upload_id = {upload}"
    )


def upload_lines_q(upload_id: int) -> Q:
    """`lines_of_upload` for the ORM: a filter of sales lines by the upload's id range,
    read in the same statement (an upload that does not exist matches nothing)."""
    span = Upload.objects.filter(pk=upload_id)
    return Q(
        pk__gte=Subquery(span.values("first_line_id")),
        pk__lte=Subquery(span.values("last_line_id")),
        upload_id=upload_id,
    )


def hold_line_ids(cursor) -> None:
    """Hold the tenant's sales line ids until the current transaction ends.

    Whoever writes sales lines takes it first (the import, a held line counted after
    all), so ids ascend in commit order: the API pages lines by id (the cursor is the last
    id), and a line committed after a client's page must never get an id below that
    page's. It also lets the import reserve a chunk's ids with one statement and write
    them itself (`reporting.importing._LineIds`). Tenants have their own table and
    sequence, so the lock is per schema; held by one import at a time, it makes
    concurrent imports of one tenant store one after the other.
    """
    cursor.execute(
        "SELECT pg_advisory_xact_lock(hashtext(%s), 0)",
        [f"reporting.salesline.ids:{connection.schema_name}"],
    )


class UploadError(models.Model):
    """A row of a report that did not become a sales line, and why (the error report)."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="errors")
    source_row = models.PositiveIntegerField()
    column = models.TextField(blank=True)
    value = models.TextField(blank=True)
    code = models.CharField(max_length=40)
    message = models.TextField()

    class Meta:
        verbose_name = _("report row error")
        verbose_name_plural = _("report row errors")
        ordering = ["source_row", "pk"]

    def __str__(self) -> str:
        return f"row {self.source_row}: {self.code}"


class ExchangeRate(models.Model):
    """How much one unit of ``currency`` is worth in ``quote_currency``, from ``valid_from``.

    ``quote_currency`` is the tenant's reporting currency when the rate was entered; only
    rates quoted in the current reporting currency are used, so changing the reporting
    currency never mixes old quotes into new figures. A rate applies until the next
    ``valid_from`` of the same currency.
    """

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    quote_currency = models.CharField(
        _("in currency"), max_length=3, validators=[currency_code], editable=False
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=20,
        decimal_places=10,
        validators=[MinValueValidator(0)],
        help_text=_("Value of one unit of the currency in the reporting currency."),
    )
    valid_from = models.DateField(_("valid from"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        # The table kept its name when the model moved here from analytics.
        db_table = "analytics_exchangerate"
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "quote_currency", "valid_from"], name="exchangerate_unique_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.quote_currency} ({self.valid_from})"

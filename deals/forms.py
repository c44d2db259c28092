"""Forms of the deal pages. They carry only what the user may choose: partner, owner and
status are never fields (the services take them from the logged-in user)."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deals import pricing, services
from deals.models import Product
from deals.selectors import DEAL_SORTS, catalogue_for_registration
from prm.core.money import Money
from prm.core.templatetags.money_tags import amount

#: Empty product rows the form starts with; the rep adds more with "Add a product" (or, without
#: JavaScript, gets a new empty row each time the draft is saved).
LINE_ROWS = 1
#: Most products one registration holds.
MAX_LINES = 50


class DealForm(forms.Form):
    """The customer and the opportunity."""

    customer_name = forms.CharField(label=_("Customer company"), max_length=200)
    customer_domain = forms.CharField(
        label=_("Website or e-mail domain"),
        max_length=254,
        required=False,
        help_text=_("For example blue-harbor.com or buyer@blue-harbor.com."),
    )
    customer_country = forms.CharField(
        label=_("Country (2-letter code)"), max_length=2, min_length=2, required=False
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    expected_value = forms.DecimalField(
        label=_("Expected value"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the total of the products below."),
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_customer_country(self) -> str:
        return self.cleaned_data["customer_country"].strip().upper()

    def to_input(self) -> services.DealInput:
        data = self.cleaned_data
        return services.DealInput(
            customer_name=data["customer_name"],
            customer_domain=data["customer_domain"],
            customer_country=data["customer_country"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            expected_value=data["expected_value"],
            expected_close_date=data["expected_close_date"],
            notes=data["notes"],
        )


def _lookup_key(text: str) -> str:
    """Typed text as the catalogue lookup compares it: any case, spaces collapsed."""
    return " ".join(text.split()).casefold()


#: The id of the page's one catalogue <datalist>, which every product input points to.
DATALIST_ID = "deal-catalogue"


class CatalogueProductField(forms.Field):
    """A product of the active catalogue, typed or picked by SKU or name.

    The input offers the catalogue as a ``<datalist>`` (rendered once per page, not once
    per row): the browser searches it by SKU and name as the rep types. What comes back is
    checked here against the catalogue the formset read once: the SKU, the "SKU - name"
    the list offers, or a product name no other product shares. Anything else is refused
    with a message, never guessed.
    """

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not in the catalogue. Pick a product from the list "
            "(type part of its SKU or name)."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"list": DATALIST_ID, "autocomplete": "off", "data-product-input": ""}
            ),
        )
        self.catalogue: list[Product] = []
        self._by_key: dict[str, Product] = {}
        self.prices: dict[int, Decimal | None] = {}
        self.currency = ""
        super().__init__(**kwargs)

    def use_catalogue(
        self, catalogue: list[Product], *, prices: dict | None = None, currency: str = ""
    ) -> None:
        self.catalogue = catalogue
        self.prices, self.currency = prices or {}, currency
        names: dict[str, list[Product]] = {}
        for product in catalogue:
            names.setdefault(_lookup_key(product.name), []).append(product)
        # Unique names first, so that a SKU or "SKU - name" wins over a name equal to it.
        by_key = {name: found[0] for name, found in names.items() if len(found) == 1}
        for product in catalogue:
            by_key[_lookup_key(str(product))] = product
        for product in catalogue:
            by_key[_lookup_key(product.vendor_sku)] = product
        self._by_key = by_key

    def find(self, value) -> Product | None:
        if isinstance(value, Product):
            return value
        if not isinstance(value, str):
            return None
        return self._by_key.get(_lookup_key(value))

    def prepare_value(self, value):
        return str(value) if isinstance(value, Product) else value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        product = self.find(value)
        if product is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:100]},
            )
        return product

    def list_price(self, product: Product) -> Money | None:
        price = self.prices.get(product.pk)
        if price is None or not self.currency:
            return None
        return Money(price, self.currency)

    def option_label(self, product: Product) -> str:
        """What the list shows beside a product: its list price in the deal's currency, so
        the rep sees what the vendor lists before typing its own price."""
        if not self.currency:
            return ""
        price = self.list_price(product)
        if price is None:
            return gettext("no list price in %(currency)s") % {"currency": self.currency}
        return amount(price)  # as the row's list-price cell shows it


class LineForm(forms.Form):
    """One product row; an empty row is ignored."""

    product = CatalogueProductField(label=_("Product"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, required=False)
    unit_price = forms.DecimalField(
        label=_("Your unit price"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the list price."),
    )

    def __init__(
        self,
        *args,
        catalogue: list[Product] | None = None,
        prices: dict | None = None,
        currency: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if catalogue is None:
            catalogue = list(catalogue_for_registration())
        self.fields["product"].use_catalogue(catalogue, prices=prices, currency=currency)
        self.currency = currency

    def list_price(self) -> Money | None:
        """The list price, in the deal's currency, of the product this row holds."""
        field = self.fields["product"]
        product = field.find(self["product"].value())
        return None if product is None else field.list_price(product)

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Enter a quantity for this product."))
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", _("Choose the product for this quantity."))
        return data


#: A product row's field in the posted data: ``lines-3-quantity`` is row 3.
_ROW_FIELD = re.compile(r"^(?P<prefix>.+)-(?P<index>\d{1,4})-(?:product|quantity|unit_price)$")
_UNNUMBERED_ROW_FIELD = re.compile(
    r"^(?P<prefix>[^-]+)-(?!\d+-)[^-]*-(?:product|quantity|unit_price)$"
)


class BaseLineFormSet(forms.BaseFormSet):
    """The product rows; they share one read of the catalogue and of its prices.

    ``currency``, ``tier_id`` and ``day`` say which list prices to show (the deal's
    currency, the partner's tier, the registration date); without a currency, none.

    The rep adds and removes rows in the browser, which keeps the row count in the
    management form. The server does not trust that count: rows posted beyond it (or with
    the count missing) are still read and shown again with an error instead of being
    dropped without a word, and nothing is saved until the rep has seen them.
    """

    default_error_messages = {
        "missing_management_form": _(
            "The product rows could not be counted. Check the rows below and save again."
        ),
        "too_many_forms": _(
            "A registration holds at most %(num)d products. Remove some rows and save again."
        ),
    }

    def __init__(self, *args, currency: str = "", tier_id=None, day: date | None = None, **kw):
        self.currency, self.tier_id, self.day = currency, tier_id, day
        super().__init__(*args, **kw)

    @cached_property
    def posted_rows(self) -> int:
        """How many rows the posted data holds something in (the highest filled row + 1)."""
        if not self.is_bound:
            return 0
        highest = -1
        for key, values in self.data.lists():
            match = _ROW_FIELD.match(key)
            if match and match["prefix"] == self.prefix and any(v.strip() for v in values):
                highest = max(highest, int(match["index"]))
        return highest + 1

    @cached_property
    def unnumbered_rows(self) -> bool:
        """Whether filled row fields came without a row number (``lines-__prefix__-…``,
        the blank row the page copies from): a browser never sends those."""
        if not self.is_bound:
            return False
        return any(
            (match := _UNNUMBERED_ROW_FIELD.match(key))
            and match["prefix"] == self.prefix
            and any(v.strip() for v in values)
            for key, values in self.data.lists()
        )

    def total_form_count(self) -> int:
        if not self.is_bound:
            return super().total_form_count()
        return min(max(super().total_form_count(), self.posted_rows), self.absolute_max)

    @cached_property
    def catalogue(self) -> list[Product]:
        return list(catalogue_for_registration())

    @cached_property
    def prices(self) -> dict[int, Decimal | None]:
        if not self.currency:
            return {}
        return pricing.list_prices(
            self.catalogue,
            currency=self.currency,
            tier_id=self.tier_id,
            day=self.day or timezone.localdate(),
        )

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "catalogue": self.catalogue,
            "prices": self.prices,
            "currency": self.currency,
        }

    def counted_management_form(self) -> ManagementForm:
        """The management form to render: it counts the rows actually shown, so that a
        page re-shown after an error posts a count that matches its rows."""
        counts = {
            TOTAL_FORM_COUNT: self.total_form_count(),
            INITIAL_FORM_COUNT: 0,
            MIN_NUM_FORM_COUNT: self.min_num,
            MAX_NUM_FORM_COUNT: self.max_num,
        }
        if not self.is_bound or self.management_form.is_valid():
            counts[INITIAL_FORM_COUNT] = min(self.initial_form_count(), self.total_form_count())
        return ManagementForm(auto_id=self.auto_id, prefix=self.prefix, initial=counts)

    def catalogue_options(self) -> list[tuple[str, str]]:
        """The datalist's options: what a pick puts in the input, and the price beside it."""
        field = self.empty_form.fields["product"]
        return [(str(product), field.option_label(product)) for product in self.catalogue]

    def clean(self):
        if self.unnumbered_rows:
            raise ValidationError(
                _("Some product rows could not be read. Check the rows below and save again."),
                code="unnumbered_rows",
            )
        if self.management_form.is_valid() and self.posted_rows > super().total_form_count():
            raise ValidationError(
                _("More product rows arrived than the form counted. Check them and save again."),
                code="uncounted_rows",
            )
        if any(self.errors):
            return
        # A registration holds one line per product: a second row with the same product
        # would replace the first when saved, so the rep is asked to merge them instead.
        first_row: dict[int, int] = {}
        for number, form in enumerate(self.forms, start=1):
            product = form.cleaned_data.get("product")
            if product is None:
                continue
            if product.pk in first_row:
                form.add_error(
                    "product",
                    _("This product is already on row %(row)d: add the quantities there.")
                    % {"row": first_row[product.pk]},
                )
            first_row.setdefault(product.pk, number)
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("Add at least one product."))

    def lines(self) -> list[services.LineInput]:
        return [
            services.LineInput(
                product_id=form.cleaned_data["product"].pk,
                quantity=form.cleaned_data["quantity"],
                unit_price=form.cleaned_data.get("unit_price"),
            )
            for form in self.forms
            if form.cleaned_data.get("product")
        ]


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=LINE_ROWS,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=2 * MAX_LINES,
)


class VersionForm(forms.Form):
    """Every action posts the version the user saw; a newer one means someone else acted."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(VersionForm):
    ACTIONS = (
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("request_information", _("Ask for more information")),
    )
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment to the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject or ask for more information."),
    )


class CloseForm(VersionForm):
    OUTCOMES = (("won", _("Won")), ("lost", _("Lost")))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES)
    final_amount = forms.DecimalField(
        label=_("Final amount (if won), in the deal's currency"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    closed_on = forms.DateField(
        label=_("Closed on"), initial=date.today, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason (if lost)"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "won" and data.get("final_amount") is None:
            self.add_error("final_amount", _("Enter the final amount of the won deal."))
        if data.get("outcome") == "lost" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the deal was lost."))
        return data


class ExtensionRequestForm(VersionForm):
    until = forms.DateField(
        label=_("Protect until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Why do you need more time?"), max_length=500)


class ExtensionDecisionForm(VersionForm):
    grant = forms.TypedChoiceField(
        choices=(("yes", _("Grant")), ("no", _("Deny"))),
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class DealFilterForm(forms.Form):
    """The deal list's search, filters and sort, all in the URL (bookmarkable, shareable,
    and what the export downloads). Choices are limited to what the user may see."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=None, required=False, empty_label=_("All partners")
    )
    channel_manager = forms.ModelChoiceField(
        label=_("Channel manager"), queryset=None, required=False, empty_label=_("All")
    )
    created_from = forms.DateField(
        label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        from deals.models import DealStatus
        from partners.selectors import partners_visible_to
        from prm.accounts.models import Role, User

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *DealStatus.choices]
        self.fields["sort"].choices = [("", "")] + [
            (f"{prefix}{key}", key) for key in DEAL_SORTS for prefix in ("", "-")
        ]
        if user.is_vendor_staff:
            self.fields["partner"].queryset = partners_visible_to(user).order_by("name")
        else:
            del self.fields["partner"]
        if user.is_vendor_admin:
            self.fields["channel_manager"].queryset = User.objects.filter(
                role=Role.CHANNEL_MANAGER
            ).order_by("full_name", "email")
        else:
            del self.fields["channel_manager"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned

    def filters(self) -> dict:
        """What the selector applies (nothing when the form is invalid)."""
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class IdListField(forms.Field):
    """Several ids from checkboxes of one name (ASCII digits only: "²" is not an id)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        if not all(isinstance(v, str) and v.isascii() and v.isdecimal() for v in values):
            raise ValidationError(_("Tick the registrations to approve."), code="invalid")
        return [int(v) for v in values]


class BulkApproveForm(forms.Form):
    """Ids ticked in the review queue; the service decides which the user may approve."""

    deal = IdListField(
        label=_("Registrations"),
        error_messages={"required": _("Tick the registrations to approve.")},
    )

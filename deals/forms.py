"""Forms of the deal pages. They carry only what the user may choose: partner, owner and
status are never fields (the services take them from the logged-in user)."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deals import pricing, services
from deals.models import Product
from deals.selectors import DEAL_SORTS, catalogue_for_registration
from prm.core.money import Money

#: Empty product rows offered on the registration form (no JavaScript needed to add rows).
LINE_ROWS = 5


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


class CatalogueChoices(ModelChoiceIterator):
    """A row's product choices, from the catalogue its formset read once."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for product in self.field.catalogue:
            yield self.choice(product)

    def __len__(self):
        return len(self.field.catalogue) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.catalogue)


class CatalogueProductField(forms.ModelChoiceField):
    """A product of the active catalogue, read once for every row of the form.

    A plain ModelChoiceField queries its queryset each time a row renders and once more
    per chosen product to validate: five rows, six or more queries for one list.
    """

    iterator = CatalogueChoices

    def __init__(self, **kwargs):
        self.catalogue: list[Product] = []
        self._by_pk: dict[str, Product] = {}
        self.prices: dict[int, Decimal | None] = {}
        self.currency = ""
        super().__init__(queryset=Product.objects.none(), **kwargs)

    def use_catalogue(
        self, catalogue: list[Product], *, prices: dict | None = None, currency: str = ""
    ) -> None:
        self.catalogue = catalogue
        self._by_pk = {str(product.pk): product for product in catalogue}
        self.prices, self.currency = prices or {}, currency
        self.widget.choices = self.choices  # a deep-copied widget still has the class's

    def label_from_instance(self, obj: Product) -> str:
        """The product with its list price in the deal's currency, so the partner sees
        what the vendor lists before typing its own price."""
        if not self.currency:
            return str(obj)
        price = self.prices.get(obj.pk)
        if price is None:
            return gettext("%(product)s (no list price in %(currency)s)") % {
                "product": obj,
                "currency": self.currency,
            }
        return f"{obj} · {Money(price, self.currency)}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Product):
            value = value.pk
        product = self._by_pk.get(str(value))
        if product is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return product


class LineForm(forms.Form):
    """One product row; an empty row is ignored."""

    product = CatalogueProductField(
        label=_("Product"), required=False, empty_label=_("Choose a product")
    )
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
        value = self["product"].value()
        product = field._by_pk.get(str(value.pk if isinstance(value, Product) else value))
        if product is None or not self.currency:
            return None
        price = field.prices.get(product.pk)
        return None if price is None else Money(price, self.currency)

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Enter a quantity for this product."))
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", _("Choose the product for this quantity."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    """The product rows; they share one read of the catalogue and of its prices.

    ``currency``, ``tier_id`` and ``day`` say which list prices to show (the deal's
    currency, the partner's tier, the registration date); without a currency, none.
    """

    def __init__(self, *args, currency: str = "", tier_id=None, day: date | None = None, **kw):
        self.currency, self.tier_id, self.day = currency, tier_id, day
        super().__init__(*args, **kw)

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

    def clean(self):
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
    LineForm, formset=BaseLineFormSet, extra=LINE_ROWS, max_num=50, validate_max=True
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

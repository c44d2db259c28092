"""Forms of the report pages. They carry only what the user may choose: a partner user
never picks a partner (the service takes it from the user), a CM only from their own."""

from django import forms
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from deals.models import Product
from partners.selectors import partners_visible_to
from prm.core.params import QueryForm, parse_id
from reporting.ingest import CANONICAL_FIELDS, IGNORE, REFUSALS
from reporting.ingest.guard import megabytes
from reporting.labels import DATE_ORDERS, ENCODINGS, FIELD_LABELS


class UploadFilterForm(QueryForm):
    """The report list's filters, all in the URL (what the export downloads too). A value
    that does not validate is dropped alone; partner choices are the user's partners."""

    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=None, required=False, empty_label=_("All partners")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    uploaded_from = forms.DateField(
        label=_("Uploaded from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    uploaded_to = forms.DateField(
        label=_("Uploaded until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        from reporting.models import UploadStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *UploadStatus.choices]
        if user.is_vendor_staff:
            self.fields["partner"].queryset = partners_visible_to(user).order_by("name")
        else:
            del self.fields["partner"]

    def filters(self) -> dict:
        """What `selectors.upload_list_for` applies."""
        data = self.values() if self.is_bound else {}
        partner = data.get("partner")
        if partner is None and self.is_bound and "partner" in self.fields:
            # A partner outside the user's choices is still applied (within the user's
            # scope it lists nothing) rather than dropped, which would list everything.
            partner = parse_id(self.data.get("partner"))
        return {
            "partner_id": partner.pk if hasattr(partner, "pk") else partner,
            "status": data.get("status") or "",
            "uploaded_from": data.get("uploaded_from"),
            "uploaded_to": data.get("uploaded_to"),
        }


class UploadForm(forms.Form):
    """The report file; vendor staff also choose on whose behalf they upload."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    file = forms.FileField(
        label=_("Report file"),
        allow_empty_file=True,  # the ingestion check says what to do about an empty file
        help_text=_(
            "CSV, TSV or TXT text, or an Excel (.xlsx, .xlsm, .xlsb, .xls) or .ods spreadsheet."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.tsv,.txt,.xlsx,.xlsm,.xlsb,.xls,.ods"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_vendor_staff:
            self.fields["partner"].queryset = partners_visible_to(user).order_by("name")
        else:
            del self.fields["partner"]

    def clean_file(self):
        """The tenant's size limit, again: the view's streaming handler stops a large
        upload while it arrives, but the form must not rely on being used by that view."""
        from reporting.services import max_upload_bytes

        uploaded = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if uploaded is not None and uploaded.size > limit:
            raise forms.ValidationError(
                gettext_now(REFUSALS["too_large"]).format(
                    size_mb=megabytes(uploaded.size, above=limit), limit_mb=megabytes(limit)
                ),
                code="too_large",
            )
        return uploaded


class MappingForm(forms.Form):
    """A canonical field (or "ignore") for every column, and the date order if needed."""

    def __init__(
        self,
        *args,
        headers: list[str],
        fields: list[str],
        needs_date_order: bool,
        date_order: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        choices = [(name, FIELD_LABELS[name]) for name in (IGNORE, *CANONICAL_FIELDS)]
        self.column_names = []
        for index, header in enumerate(headers):
            name = f"column_{index}"
            self.column_names.append(name)
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": index + 1},
                choices=choices,
                initial=fields[index] if index < len(fields) else IGNORE,
            )
        if needs_date_order:
            self.fields["date_order"] = forms.ChoiceField(
                label=_("How are the dates written?"),
                choices=[("", "—"), *DATE_ORDERS.items()],
                initial=date_order,
            )

    def mapped_fields(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.column_names]


class EncodingForm(forms.Form):
    encoding = forms.ChoiceField(label=_("Text encoding"), choices=list(ENCODINGS.items()))


class SkuAliasForm(forms.Form):
    """A partner's own part number for a catalogue product."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    partner_sku = forms.CharField(label=_("Partner part number"), max_length=100)
    product = forms.ModelChoiceField(
        label=_("Vendor SKU"),
        queryset=Product.objects.filter(is_active=True).order_by("vendor_sku"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners_visible_to(user).order_by("name")
        self.fields["product"].label_from_instance = lambda product: (
            f"{product.vendor_sku} · {product.name}"
        )

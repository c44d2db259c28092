"""Forms of analytics: dashboard filters, exchange rates, finding decisions."""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import Http404
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from partners.selectors import partners_visible_to
from prm.core.params import QueryForm, parse_id
from reporting.analytics.models import ExchangeRate, FindingKind, FindingStatus
from reporting.analytics.selectors import Filters, Period, add_months, month_start

#: Above this many partners in scope the partner filter is a text field (name, slug or
#: number, `PartnerLookupField`); up to it, a select.
MAX_PARTNER_CHOICES = 200
#: How many partners a typed name matching several lists, so the reader can pick one.
MAX_PARTNERS_LISTED = 5


#: Months outside these years are ignored: year 9999 plus a period's length overflows
#: `date`, and nobody reports sales from before the programme or centuries ahead.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _month(value: str) -> date | None:
    try:
        year, month = str(value).split("-")[:2]
        if not (year.isascii() and month.isascii()):
            return None
        if not FIRST_YEAR <= int(year) <= LAST_YEAR:
            return None
        return date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


def _attributes(attrs: dict):
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class OptionsInPython(forms.Select):
    """A select whose options are written in Python, in the markup of Django's template:
    the template includes one template per option, and the product filter's options
    (one a product) cost ~3 ms of every dashboard page that way."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>\n',
                ((str(o["value"]), _attributes(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                rendered = format_html(
                    '\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rendered
                )
            groups.append(rendered)
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributes(widget["attrs"]),
            mark_safe("".join(groups)),  # each part was built by format_html
        )


class DashboardFilterForm(forms.Form):
    """Period, partner, tier, territory, product and currency; choices only from the
    user's scope. ``filters()`` answers 404 for a partner outside it."""

    start = forms.CharField(
        label=_("From month"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_("To month"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    tier = forms.TypedChoiceField(
        label=_("Tier"), required=False, coerce=int, empty_value=None, widget=OptionsInPython
    )
    territory = forms.TypedChoiceField(
        label=_("Territory"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=OptionsInPython,
    )
    product = forms.ChoiceField(label=_("Product"), required=False, widget=OptionsInPython)
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4, "placeholder": "EUR"}),
    )

    def __init__(self, *args, user, with_partner: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        everyone = [("", _("All"))]
        if with_partner:
            self.fields["partner"] = partner_filter_field(partners_visible_to(user))
            self.order_fields(["start", "end", "partner"])
            from partners.models import Tier

            self.fields["tier"].choices = everyone + list(Tier.objects.values_list("pk", "name"))
            from partners.models import Territory

            self.fields["territory"].choices = everyone + list(
                Territory.objects.values_list("pk", "name")
            )
        else:
            for name in ("tier", "territory"):
                del self.fields[name]
        from deals.models import Product

        self.fields["product"].choices = everyone + [
            (sku, f"{sku} - {name}")
            for sku, name in Product.objects.order_by("vendor_sku").values_list(
                "vendor_sku", "name"
            )
        ]

    def filters(self, *, partner_id: int | None = None) -> Filters:
        data = self.data
        default = Period.last_months(12)
        start = _month(data.get("start", "")) or default.start
        end = _month(data.get("end", "")) or (
            add_months(start, 11) if data.get("start") else default.end
        )
        if end < start:
            start, end = end, start
        if (end.year - start.year) * 12 + end.month - start.month > 120:
            start = add_months(end, -119)
        if partner_id is None and "partner" in self.fields:
            partner_id = self._partner_id()
        return Filters(
            period=Period(month_start(start), month_start(end)),
            partner_id=partner_id,
            tier_id=_int(data.get("tier")),
            territory_id=_int(data.get("territory")),
            sku=(data.get("product") or "").replace("\x00", "").strip()[:64],
            currency=(data.get("currency") or "").replace("\x00", "").strip().upper()[:3],
        )

    def _partner_id(self) -> int | None:
        """The partner typed or picked: a number outside the scope answers 404 (as any
        foreign id); a name that matches none or several is said on the page (above the
        figures) and the figures are the whole scope's, as on the reconciliation list."""
        if self.has_error("partner", code=PartnerLookupField.NOT_IN_SCOPE):
            raise Http404
        partner = self.cleaned_data.get("partner")
        return partner.pk if partner else None


def _int(value) -> int | None:
    return parse_id(value)


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        if args and args[0] is not None and "currency" in args[0]:
            data = args[0].copy()
            data["currency"] = data["currency"].strip().upper()
            args = (data, *args[1:])
        super().__init__(*args, **kwargs)


class RateImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns currency,rate,valid_from, e.g. EUR,1.08,2026-01-01."),
    )


class FindingDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=FindingStatus.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class PartnerLookupField(forms.CharField):
    """A partner of the reader's scope, typed: its number (what links carry), its slug or
    its name (whole, or a part only one partner's name holds). A number outside the scope
    is NOT_IN_SCOPE (the page answers 404, as for any foreign id); text that names no
    partner of the scope is an error shown on the page, whether or not another
    vendor's or partner's partner has that name.

    Text that several partners' names hold is refused with the first of them listed by
    name and slug, as address books and CRM lookup fields do: the reader sees which
    partners were meant and types the slug (unique, and looked up first) of the one they
    want, instead of getting one of them picked for them. Those partners stay on the field
    (`matches`) so the page can offer each as a link that filters by it."""

    NOT_IN_SCOPE = "not_in_scope"

    def __init__(self, partners, **kwargs):
        kwargs.setdefault("label", _("Partner (name, slug or number)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.partners = partners
        self.matches: list = []
        if isinstance(self.widget, forms.TextInput):
            self.widget.attrs.setdefault("placeholder", _("Partner name"))

    def clean(self, value):
        text = (super().clean(value) or "").replace("\x00", "").strip()
        if not text:
            return None
        if text.isascii() and text.isdigit():
            partner = self.partners.filter(pk=parse_id(text)).first()
            if partner is None:
                raise forms.ValidationError(_("No such partner."), code=self.NOT_IN_SCOPE)
            return partner
        partners = self.partners.only("pk", "name", "slug").order_by("name", "slug")
        found = (
            list(partners.filter(slug__iexact=text)[:1])
            or list(partners.filter(name__iexact=text)[: MAX_PARTNERS_LISTED + 1])
            or list(partners.filter(name__icontains=text)[: MAX_PARTNERS_LISTED + 1])
        )
        if len(found) == 1:
            return found[0]
        if found:
            self.matches = found[:MAX_PARTNERS_LISTED]
            listed = ", ".join(f"{p.name} ({p.slug})" for p in found[:MAX_PARTNERS_LISTED])
            if len(found) > MAX_PARTNERS_LISTED:
                listed += ", …"
            raise forms.ValidationError(
                _(
                    "Several partners match “%(text)s”: %(partners)s. Type the slug in "
                    "brackets, or more of the name."
                ),
                code="ambiguous",
                params={"text": text, "partners": listed},
            )
        raise forms.ValidationError(
            _("None of your partners matches “%(text)s”."), code="no_match", params={"text": text}
        )


def partner_filter_field(partners, **kwargs) -> PartnerLookupField:
    """The one partner filter of the analytics pages: a select of the scope's partners up
    to `MAX_PARTNER_CHOICES`, a text field above (thousands of options are slow to render,
    about 0.1 s of CPU for 5,000, and to use). Both are read by `PartnerLookupField`, so a
    number, a slug or a name in the URL works whichever the reader is shown."""
    empty = kwargs.pop("empty_label", _("All"))
    options = list(partners.order_by("name").values_list("pk", "name")[: MAX_PARTNER_CHOICES + 1])
    if len(options) > MAX_PARTNER_CHOICES:
        return PartnerLookupField(partners, **kwargs)
    kwargs.setdefault("label", _("Partner"))
    return PartnerLookupField(
        partners, widget=OptionsInPython(choices=[("", empty), *options]), **kwargs
    )


class FindingFilterForm(QueryForm):
    """The reconciliation list's filters, in the URL (what its export downloads too). Without
    a status in the URL the list shows open findings, what waits on the CM."""

    kind = forms.ChoiceField(
        label=_("Finding"), required=False, choices=[("", _("All"))] + list(FindingKind.choices)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(FindingStatus.choices)
    )

    def __init__(self, data=None, *, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", FindingStatus.OPEN)
        super().__init__(data, **kwargs)
        # The dashboards' partner filter: typed above 200 partners (a name, a slug or the
        # number the work queue's and the scorecards' links carry), looked up in scope.
        self.fields["partner"] = partner_filter_field(
            partners_visible_to(user), empty_label=_("All partners")
        )
        self.order_fields(["kind", "partner", "status"])

    def filters(self) -> dict:
        """What `selectors.finding_list` applies. A partner outside the user's scope is a
        404, as on every page that names one; another bad value is dropped alone."""
        values = self.values()
        if self.has_error("partner", code=PartnerLookupField.NOT_IN_SCOPE):
            raise Http404
        return {
            "kind": values["kind"] or "",
            "status": values["status"] or "",
            "partner_id": values["partner"].pk if values["partner"] else None,
        }

"""Forms of the partners app. None takes a partner, owner or status the server knows."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerApplication, PartnerStatus, PartnerType, Territory, Tier
from partners.selectors import DIRECTORY_SORTS, partners_visible_to
from prm.accounts.models import Role, User
from prm.core.params import QueryForm

SORT_CHOICES = [
    ("name", _("Name (A-Z)")),
    ("-name", _("Name (Z-A)")),
    ("country", _("Country")),
    ("status", _("Status")),
    ("-tier", _("Tier (best first)")),
    ("-created", _("Newest first")),
]
assert all(key in DIRECTORY_SORTS for key, _label in SORT_CHOICES)

PARTNER_ROLE_CHOICES = [
    (Role.PARTNER_REP, Role.PARTNER_REP.label),
    (Role.PARTNER_ADMIN, Role.PARTNER_ADMIN.label),
]


def _channel_managers():
    return User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).order_by("full_name")


class PartnerFilterForm(QueryForm):
    """The directory's search, filters and sort, all in the URL (what the export downloads
    too). A value that does not validate is dropped alone; the others still apply."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, slug or e-mail domain")}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + PartnerStatus.choices,
    )
    partner_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type"))] + PartnerType.choices
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"), required=False, queryset=Tier.objects.all(), empty_label=_("Any tier")
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        required=False,
        queryset=Territory.objects.all(),
        empty_label=_("Any territory"),
    )
    channel_manager = forms.ModelChoiceField(
        label=_("Channel manager"),
        required=False,
        queryset=_channel_managers(),
        empty_label=_("Any channel manager"),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the countries of partners the user sees: the list names no other country.
        countries = (
            partners_visible_to(user)
            .exclude(country="")
            .order_by("country")
            .values_list("country", flat=True)
            .distinct()
        )
        self.fields["country"].choices = [("", _("Any country"))] + [(c, c) for c in countries]

    def filters(self) -> dict:
        data = self.values()
        return {
            "query": (data["q"] or "").strip(),
            "status": data["status"] or "",
            "partner_type": data["partner_type"] or "",
            "tier": data["tier"].pk if data["tier"] else None,
            "territory": data["territory"].pk if data["territory"] else None,
            "country": data["country"] or "",
            "channel_manager": data["channel_manager"].pk if data["channel_manager"] else None,
            "sort": data["sort"] or "name",
        }


class ApplicationForm(forms.ModelForm):
    """The public "become a partner" form."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = PartnerApplication
        fields = [
            "company_name",
            "legal_name",
            "website",
            "country",
            "partner_type",
            "contact_name",
            "contact_email",
            "contact_phone",
            "message",
        ]
        widgets = {
            "country": forms.TextInput(
                attrs={"maxlength": 2, "placeholder": "US", "autocomplete": "country"}
            ),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "country": _("Two-letter code of the country you are based in, e.g. US, DE, VN."),
            "contact_email": _("We send the invitation to this address if you are approved."),
        }

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError(_("Enter a two-letter country code, e.g. US."))
        return country


class PartnerProfileForm(forms.Form):
    """What vendor staff may correct about a partner (slug stays: files and other apps
    refer to partners by it; status, tier and assignment have their own forms)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        help_text=_(
            "Separated by commas, e.g. example.com, example.de. People with these "
            "domains are suggested to join this partner, never added."
        ),
    )
    partner_type = forms.ChoiceField(label=_("Type"), choices=PartnerType.choices)
    country = forms.CharField(label=_("Country"), max_length=2, required=False)
    currency = forms.CharField(label=_("Reporting currency"), max_length=3)

    def clean_email_domains(self):
        domains = sorted(
            {
                d.strip().lower().lstrip("@")
                for d in self.cleaned_data["email_domains"].replace(";", ",").split(",")
                if d.strip()
            }
        )
        wrong = [d for d in domains if "." not in d or " " in d or "@" in d]
        if wrong:
            raise forms.ValidationError(
                _("These are not e-mail domains: %(domains)s.") % {"domains": ", ".join(wrong)}
            )
        return domains

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError(_("Enter a two-letter country code, e.g. US."))
        return country

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Enter a three-letter currency code, e.g. EUR."))
        return currency


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant receives this by e-mail."),
    )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=PartnerStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to suspend or terminate."),
    )

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            # Offer only the steps the lifecycle allows from the current status.
            self.fields["to_status"].choices = [
                (value, label) for value, label in PartnerStatus.choices if value in allowed
            ]


class AssignForm(forms.Form):
    channel_manager = forms.ModelChoiceField(
        label=_("Channel manager"),
        required=False,
        queryset=_channel_managers(),
        empty_label=_("Nobody"),
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        required=False,
        queryset=Territory.objects.all(),
        empty_label=_("None"),
    )


class TierForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("Tier"), required=False, queryset=Tier.objects.all(), empty_label=_("No tier")
    )


class TierEditForm(forms.Form):
    """A programme tier as a vendor admin defines it. Bounds are checked here for a clear
    message next to the field; unique names and ranks by `services.tier_create/update`."""

    name = forms.CharField(label=_("Name"), max_length=80)
    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=0,
        max_value=32767,
        help_text=_("Higher ranks are better tiers. Each tier has its own rank."),
    )
    min_yearly_sales = forms.DecimalField(
        label=_("Yearly sales required"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        help_text=_("Sales in the last 12 months, in the vendor's reporting currency."),
    )
    min_certified_reps = forms.IntegerField(
        label=_("Certified reps required"), min_value=0, max_value=10_000, initial=0
    )
    discount_percent = forms.DecimalField(
        label=_("Discount %"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=0,
    )
    benefits = forms.CharField(
        label=_("Other benefits"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    @classmethod
    def initial_for(cls, tier: Tier) -> dict:
        return {name: getattr(tier, name) for name in cls.base_fields}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLE_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLE_CHOICES)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        return data


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Terms"), widget=forms.Textarea(attrs={"rows": 10}))

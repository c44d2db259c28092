from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from channels.services import parse_countries
from partners.models import Territory, Tier
from prm.accounts.models import Role, User


def _channel_managers():
    return User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).order_by("full_name")


class TerritoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    countries = forms.CharField(
        label=_("Countries"), help_text=_("Two-letter codes separated by commas, e.g. US, CA, MX.")
    )
    channel_manager = forms.ModelChoiceField(
        label=_("Channel manager"),
        required=False,
        queryset=_channel_managers(),
        empty_label=_("Nobody"),
    )

    def clean_countries(self):
        try:
            return parse_countries(self.cleaned_data["countries"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Territory.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A territory with this name exists. Pick another."))
        return name


class ReassignForm(forms.Form):
    from_manager = forms.ModelChoiceField(
        label=_("From channel manager"),
        queryset=User.objects.filter(role=Role.CHANNEL_MANAGER).order_by("full_name"),
    )
    to_manager = forms.ModelChoiceField(label=_("To channel manager"), queryset=_channel_managers())


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"),
        required=False,
        queryset=Tier.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every tier."),
    )
    territories = forms.ModelMultipleChoiceField(
        label=_("Territories"),
        required=False,
        queryset=Territory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every territory."),
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from prm.webhooks.models import Event


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("Where we POST the events, e.g. https://crm.example.com/hooks/prm"),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class RotateSecretForm(forms.Form):
    """The confirmation a rotation needs: the receiver must be given the new secret within
    the overlap, or its deliveries stop verifying. A required box works without JavaScript
    (the content security policy allows no inline confirm())."""

    confirm = forms.BooleanField(
        label=_("I will give the receiver the new secret within 24 hours."), required=True
    )

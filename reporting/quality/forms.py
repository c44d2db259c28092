"""Forms of channel data quality (nothing the server knows is taken from POST data)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.quality.models import Frequency


class RepeatForm(forms.Form):
    """Rows of an upload the partner confirms as true repeats."""

    rows = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Rows"))

    def __init__(self, *args, held_rows: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rows"].choices = [(row, row) for row in held_rows]


class NothingSoldForm(forms.Form):
    period_start = forms.DateField(label=_("Period"))


class CadenceForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Period"), choices=Frequency.choices)
    due_business_days = forms.IntegerField(
        label=_("Due (business days after the period)"), min_value=0, max_value=60
    )
    remind_days_before = forms.IntegerField(
        label=_("First reminder (days before due)"), min_value=0, max_value=30
    )
    repeat_every_days = forms.IntegerField(
        label=_("Overdue reminder every (days)"), min_value=1, max_value=30
    )

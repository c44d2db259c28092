"""Query-string values read safely: list, dashboard and export filters.

`str.isdigit()` is true for "²" and other Unicode digits that `int()` refuses, and a
number past PostgreSQL's bigint makes the query fail; both used to answer 500. Filters
read ids with `parse_id` or `IdField`, and filter forms derived from `QueryForm` drop a
value that does not validate (as if it were absent) instead of failing.
"""

from __future__ import annotations

from django import forms

#: The largest primary key PostgreSQL's bigint holds.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive database id written in ASCII digits, or None."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class QueryForm(forms.Form):
    """A filter form over request.GET whose invalid values are ignored."""

    def values(self) -> dict:
        self.is_valid()
        return {
            name: (None if name in self.errors else self.cleaned_data.get(name))
            for name in self.fields
        }

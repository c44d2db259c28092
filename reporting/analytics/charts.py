"""Chart specifications for static/analytics/charts.js (read from a json_script block).

Each chart is also shown as a table next to it; series differ by line style and point
shape as well as colour, so they read without colour.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reporting.analytics.tables import month_label


def _number(value) -> float:
    return float(value or 0)


def months_chart(rows, currency: str) -> dict:
    return {
        "type": "line",
        "labels": [month_label(r.month) for r in rows],
        "currency": currency,
        "series": [
            {"label": _("Sales"), "data": [_number(r.amount) for r in rows], "style": "solid"},
            {
                "label": _("Same month last year"),
                "data": [_number(r.last_year) for r in rows],
                "style": "dashed",
            },
        ],
    }


def bars_chart(labels, values, *, label: str, currency: str = "", horizontal=True) -> dict:
    return {
        "type": "bar",
        "horizontal": horizontal,
        "labels": list(labels),
        "currency": currency,
        "series": [{"label": label, "data": [_number(v) for v in values], "style": "solid"}],
    }

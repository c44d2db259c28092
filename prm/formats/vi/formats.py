"""Vietnamese number and date formats: Django's, plus digit grouping (Django leaves
NUMBER_GROUPING at 0 for vi, so 1540105,79 would show ungrouped)."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
# Day/month/year with slashes, as Vietnamese write it, for dates and times alike (Django's
# own vi short date uses dashes, its short date-time puts the time first).
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

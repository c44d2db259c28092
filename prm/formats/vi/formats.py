"""Vietnamese number and date formats: Django's, plus digit grouping (Django leaves
NUMBER_GROUPING at 0 for vi, so 1540105,79 would show ungrouped)."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

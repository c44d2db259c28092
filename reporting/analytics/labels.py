"""Menu labels of the analytics pages, kept here so they are translated in this app's
catalogue (prm/core/navigation.py imports them; this module imports nothing of the app)."""

from django.utils.translation import gettext_lazy as _

DASHBOARD = _("Analytics")
RECONCILIATION = _("Reconciliation")
MY_FIGURES = _("My figures")

"""Menu labels of the deal pages, kept here so they are translated in the deals catalogue
(prm/core/navigation.py imports them; this module imports nothing of the app)."""

from django.utils.translation import gettext_lazy as _

REVIEW_QUEUE = _("Deal reviews")
DEALS = _("Deals")
NOTIFICATIONS = _("Notifications")

"""Menu labels of the partners app (kept here so they live in this app's catalogue)."""

from django.utils.translation import gettext_lazy as _

APPLICATIONS = _("Applications")
USERS = _("Users")
TIERS = _("Tiers")

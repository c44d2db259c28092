"""Menu labels of the channels app (kept here so they live in this app's catalogue)."""

from django.utils.translation import gettext_lazy as _

ANNOUNCEMENTS = _("Announcements")

"""The menu of each role, in one list.

Each app adds its entries here when it adds the page. `roles` are `accounts.Role` values;
an entry is shown to a user whose role is listed.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from channels import labels as channel_labels
from deals import labels as deal_labels
from partners import labels as partner_labels
from prm.accounts.models import Role
from reporting import labels as reporting_labels
from reporting.analytics import labels as analytics_labels

VENDOR = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
PARTNER = (Role.PARTNER_ADMIN, Role.PARTNER_REP)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: tuple[str, ...]


NAV_ITEMS: list[NavItem] = [
    NavItem("channels:workspace", _("Workspace"), VENDOR),
    NavItem("partners:list", _("Partners"), VENDOR),
    NavItem("partners:applications", partner_labels.APPLICATIONS, VENDOR),
    NavItem("partners:tiers", partner_labels.TIERS, (Role.VENDOR_ADMIN,)),
    NavItem("channels:announcements", channel_labels.ANNOUNCEMENTS, VENDOR),
    NavItem("portal:home", _("Home"), PARTNER),
    NavItem("portal:users", partner_labels.USERS, (Role.PARTNER_ADMIN,)),
    NavItem("deals:review_queue", deal_labels.REVIEW_QUEUE, VENDOR),
    NavItem("deals:list", deal_labels.DEALS, VENDOR + PARTNER),
    NavItem("deals:notifications", deal_labels.NOTIFICATIONS, VENDOR + PARTNER),
    NavItem("reporting:uploads", reporting_labels.REPORTS, VENDOR + (Role.PARTNER_ADMIN,)),
    NavItem("analytics:dashboard", analytics_labels.DASHBOARD, VENDOR),
    NavItem("analytics:my_scorecard", analytics_labels.MY_FIGURES, (Role.PARTNER_ADMIN,)),
]

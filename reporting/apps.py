from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Partner sales reports: uploads, ingestion into canonical sales lines, SKU aliases."""

    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from prm.accounts.models import Role
        from prm.core.extensions import NavItem, registry
        from reporting import demo, views
        from reporting.selectors import uploads_waiting_on

        roles = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER, Role.PARTNER_ADMIN)
        registry.add_nav_item(NavItem("reporting:uploads", _("Sales reports"), roles, order=110))
        registry.add_queue_source("reports", uploads_waiting_on, order=40)
        # The partner's latest reports, first among the other apps' blocks.
        registry.add_partner_section("reports", views.partner_section, order=10)
        registry.add_demo_seeder("reporting", demo.seed, order=40)

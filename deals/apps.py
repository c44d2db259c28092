from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from deals import demo
        from deals.selectors import deals_waiting_on
        from prm.accounts.models import Role
        from prm.core.extensions import NavItem, registry

        vendor = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
        everyone = vendor + (Role.PARTNER_ADMIN, Role.PARTNER_REP)
        registry.add_nav_item(NavItem("deals:review_queue", _("Deal reviews"), vendor, order=80))
        registry.add_nav_item(NavItem("deals:list", _("Deals"), everyone, order=90))
        registry.add_nav_item(
            NavItem("deals:notifications", _("Notifications"), everyone, order=100)
        )
        registry.add_queue_source("deals", deals_waiting_on, order=30)
        registry.add_demo_seeder("deals", demo.seed, order=30)

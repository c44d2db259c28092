from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from partners import demo, rules
        from partners.selectors import applications_waiting_on
        from partners.tiers import tier_upgrades_waiting_on
        from prm.accounts.models import Role
        from prm.core.extensions import NavItem, registry

        vendor = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
        partner = (Role.PARTNER_ADMIN, Role.PARTNER_REP)
        for item in (
            NavItem("partners:list", _("Partners"), vendor, order=20),
            NavItem("partners:applications", _("Applications"), vendor, order=30),
            NavItem("partners:tiers", _("Tiers"), (Role.VENDOR_ADMIN,), order=40),
            NavItem("portal:home", _("Home"), partner, order=60),
            NavItem("portal:users", _("Users"), (Role.PARTNER_ADMIN,), order=70),
        ):
            registry.add_nav_item(item)
        registry.add_queue_source("applications", applications_waiting_on, order=10)
        registry.add_queue_source("tier_upgrades", tier_upgrades_waiting_on, order=20)
        registry.add_demo_seeder("partners", demo.seed, order=10)
        registry.add_login_check("partner_status", rules.login_refusal)

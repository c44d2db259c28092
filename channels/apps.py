from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from channels import demo, views
        from prm.accounts.models import Role
        from prm.core.extensions import NavItem, registry

        vendor = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
        registry.add_nav_item(NavItem("channels:workspace", _("Workspace"), vendor, order=10))
        registry.add_nav_item(
            NavItem("channels:announcements", _("Announcements"), vendor, order=50)
        )
        registry.add_portal_section("announcements", views.portal_section, order=10)
        registry.add_demo_seeder("channels", demo.seed, order=20)

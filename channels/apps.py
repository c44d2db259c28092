from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels"

    def ready(self):
        from channels.queue import register_queue_source
        from partners.selectors import applications_waiting_on
        from partners.tiers import tier_upgrades_waiting_on

        register_queue_source("applications", applications_waiting_on)
        register_queue_source("tier_upgrades", tier_upgrades_waiting_on)

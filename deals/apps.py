from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from channels.queue import register_queue_source
        from deals.selectors import deals_waiting_on

        register_queue_source("deals", deals_waiting_on)

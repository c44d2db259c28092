from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Partner sales reports: uploads, ingestion into canonical sales lines, SKU aliases."""

    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from channels.queue import register_queue_source
        from reporting.selectors import uploads_waiting_on

        register_queue_source("reports", uploads_waiting_on)

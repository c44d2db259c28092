from django.apps import AppConfig

#: The partner's latest reports on the vendor's partner page (partners.views).
PARTNER_SECTION = "reporting.views.partner_section"


class ReportingConfig(AppConfig):
    """Partner sales reports: uploads, ingestion into canonical sales lines, SKU aliases."""

    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from channels.queue import register_queue_source
        from reporting.selectors import uploads_waiting_on

        register_queue_source("reports", uploads_waiting_on)
        try:
            from partners import views as partner_views
        except ImportError:
            return
        sections = getattr(partner_views, "PARTNER_DETAIL_SECTIONS", None)
        if sections is not None and PARTNER_SECTION not in sections:
            sections.insert(0, PARTNER_SECTION)

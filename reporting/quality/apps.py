from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Whether the channel data can be believed: reporting cadence and reminders, duplicate
    lines held out of the figures, a data-quality score per partner and period, and one
    registry of end customers across partners.

    A separate app from `reporting` (uploads and ingestion) and `reporting.analytics`
    (figures) so each keeps its own models, migrations and catalogue.
    """

    name = "reporting.quality"
    label = "quality"
    verbose_name = "Channel data quality"

    def ready(self):
        from reporting.quality import hooks

        hooks.connect()

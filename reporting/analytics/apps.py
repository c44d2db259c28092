from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Dashboards, scorecards, reconciliation and exports over normalised sales lines.

    A separate app from `reporting` (uploads and ingestion) so each keeps its own models
    and migrations; both live under reporting/.
    """

    name = "reporting.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self):
        from reporting.analytics import hooks

        hooks.connect()

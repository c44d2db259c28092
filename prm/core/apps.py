from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prm.core"
    label = "core"
    verbose_name = "Core"

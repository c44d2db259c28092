from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """`seed_demo` and `seed_scale`: demo and benchmark vendors (no models of its own)."""

    name = "prm.seeding"
    label = "seeding"
    verbose_name = "Seeding"

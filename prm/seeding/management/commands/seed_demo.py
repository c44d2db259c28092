from django.conf import settings
from django.core.management.base import BaseCommand

from prm.seeding.demo import ACME, DEMO_PASSWORD, DEMO_VENDORS, seed_demo


class Command(BaseCommand):
    help = "Create or complete the demo tenants acme and globex (safe to run again)."

    def handle(self, *args, **options):
        seed_demo(base_domain=settings.PRM_BASE_DOMAIN)
        for spec in DEMO_VENDORS:
            self.stdout.write(f"{spec.name}: http://{spec.schema}.{settings.PRM_BASE_DOMAIN}")
        self.stdout.write(
            f"Logins (password {DEMO_PASSWORD}): {ACME.admin}, "
            + ", ".join(email for email, _ in ACME.channel_managers)
            + ", "
            + ", ".join(email for email, *_ in ACME.partner_users)
        )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

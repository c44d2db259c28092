from django.core.management.base import BaseCommand, CommandError

from prm.tenancy.services import vendor_create


class Command(BaseCommand):
    help = "Provision a vendor tenant (schema, domain) and its first vendor admin."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")
        parser.add_argument("--currency", default="USD")

    def handle(self, *args, schema, name, domain, admin_email, admin_password, currency, **kw):
        if not schema.isidentifier() or schema.lower() != schema or schema == "public":
            raise CommandError("--schema must be a lower-case identifier such as 'acme'.")
        if admin_email and not admin_password:
            raise CommandError("--admin-password is required with --admin-email.")
        vendor = vendor_create(
            schema=schema,
            name=name,
            domain=domain,
            admin_email=admin_email,
            admin_password=admin_password,
            reporting_currency=currency,
        )
        self.stdout.write(self.style.SUCCESS(f"Vendor {vendor.name} ready on {domain}"))

"""`create_api_key --schema S --email E [--name N]`: a new API key for that user, on stdout.

Prints the key and nothing else (one line), so a script can capture it; it is not stored
and cannot be shown again.
"""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from prm.accounts.models import User
from prm.accounts.services import api_key_create
from prm.tenancy.models import Vendor


class Command(BaseCommand):
    help = "Create an API key for a user of a vendor and print it (one line)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="Vendor schema, e.g. acme")
        parser.add_argument("--email", required=True, help="The user the key acts as")
        parser.add_argument("--name", default="Command line", help="What the key is for")

    def handle(self, *args, schema: str, email: str, name: str, **options):
        if not Vendor.objects.filter(schema_name=schema).exclude(schema_name="public").exists():
            raise CommandError(f"No vendor with schema {schema!r}.")
        with schema_context(schema):
            user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {email!r} in {schema}.")
            _row, key = api_key_create(user=user, name=name)
        self.stdout.write(key)

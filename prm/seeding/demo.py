"""The demo cast (README lists it): tenants, staff, partners and their users.

Idempotent: every object is looked up by its natural key first, so running `seed_demo`
twice changes nothing. Apps add their own demo data in their AppConfig.ready
(`registry.add_demo_seeder`, prm/core/extensions.py).
"""

from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import schema_context

from partners.memberships import partner_user_create
from partners.models import Partner
from prm.accounts.models import Role, User
from prm.accounts.services import user_create
from prm.core.extensions import registry
from prm.tenancy.services import public_site_ensure, vendor_create

DEMO_PASSWORD = "prm-demo-2026"


@dataclass(frozen=True)
class DemoPartner:
    slug: str
    name: str
    country: str
    currency: str
    channel_manager: str


@dataclass(frozen=True)
class DemoVendor:
    schema: str
    name: str
    currency: str
    admin: str
    channel_managers: tuple[tuple[str, str], ...]
    partners: tuple[DemoPartner, ...]
    partner_users: tuple[tuple[str, str, str, str], ...]  # email, name, role, partner slug


ACME = DemoVendor(
    schema="acme",
    name="Acme Networks",
    currency="USD",
    admin="admin@acme.example",
    channel_managers=(("cm1@acme.example", "Carla Mendes"), ("cm2@acme.example", "Minh Tran")),
    partners=(
        DemoPartner("northwind", "Northwind Traders", "US", "USD", "cm1@acme.example"),
        DemoPartner("mueller", "Müller Systemhaus GmbH", "DE", "EUR", "cm1@acme.example"),
        DemoPartner("saigon", "Saigon Tech Solutions", "VN", "VND", "cm2@acme.example"),
        DemoPartner("lonestar", "Lone Star IT", "US", "USD", "cm2@acme.example"),
    ),
    partner_users=tuple(
        user
        for slug, admin_name, rep_name in (
            ("northwind", "Nora Wells", "Ned Walker"),
            ("mueller", "Maria Müller", "Max Becker"),
            ("saigon", "Nguyễn Thị Lan", "Trần Văn Hùng"),
            ("lonestar", "Laura Stone", "Luke Sanders"),
        )
        for user in (
            (f"admin@{slug}.example", admin_name, Role.PARTNER_ADMIN, slug),
            (f"rep@{slug}.example", rep_name, Role.PARTNER_REP, slug),
        )
    ),
)

GLOBEX = DemoVendor(
    schema="globex",
    name="Globex Corporation",
    currency="USD",
    admin="admin@globex.example",
    channel_managers=(),
    partners=(DemoPartner("contoso", "Contoso Ltd", "GB", "GBP", ""),),
    partner_users=(("admin@contoso.example", "Connor Sole", Role.PARTNER_ADMIN, "contoso"),),
)

DEMO_VENDORS = (ACME, GLOBEX)


def seed_vendor(spec: DemoVendor, *, base_domain: str = "localhost") -> None:
    vendor = vendor_create(
        schema=spec.schema,
        name=spec.name,
        domain=f"{spec.schema}.{base_domain}",
        admin_email=spec.admin,
        admin_password=DEMO_PASSWORD,
        reporting_currency=spec.currency,
    )
    with schema_context(spec.schema), transaction.atomic():
        for email, full_name in spec.channel_managers:
            if not User.objects.filter(email=email).exists():
                user_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    role=Role.CHANNEL_MANAGER,
                    full_name=full_name,
                )
        for item in spec.partners:
            manager = User.objects.filter(email=item.channel_manager).first()
            Partner.objects.get_or_create(
                slug=item.slug,
                defaults={
                    "name": item.name,
                    "country": item.country,
                    "currency": item.currency,
                    "channel_manager": manager,
                },
            )
        for email, full_name, role, slug in spec.partner_users:
            if not User.objects.filter(email=email).exists():
                partner_user_create(
                    partner=Partner.objects.get(slug=slug),
                    email=email,
                    password=DEMO_PASSWORD,
                    role=role,
                    full_name=full_name,
                )
    with schema_context(spec.schema):
        for seed in registry.demo_seeders():
            seed(vendor)


def seed_demo(*, base_domain: str = "localhost") -> None:
    public_site_ensure(domain=base_domain)
    for spec in DEMO_VENDORS:
        seed_vendor(spec, base_domain=base_domain)

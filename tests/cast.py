"""The fixed cast every test uses (docs/CONTRIBUTING.md): built once per test session.

Tenant `acme` (host acme.localhost): a vendor admin, two channel managers, partner A
(ardent: an admin and two reps, managed by cm_a) and partner B (bergmann: an admin and
a rep, managed by cm_b). Tenant `globex` (globex.localhost): an admin and partner contoso
with its admin: the outsider from another tenant.
"""

from dataclasses import dataclass

from django_tenants.utils import schema_context

from partners.memberships import partner_user_create
from partners.models import Partner
from prm.accounts.models import Role, User
from prm.accounts.services import user_create
from prm.tenancy.models import Vendor
from prm.tenancy.services import public_site_ensure, vendor_create

PASSWORD = "cast-password-2026"


@dataclass
class Cast:
    acme: Vendor
    globex: Vendor
    vendor_admin: User
    cm_a: User
    cm_b: User
    partner_a: Partner
    partner_a_admin: User
    rep_a1: User
    rep_a2: User
    partner_b: Partner
    partner_b_admin: User
    rep_b: User
    globex_admin: User
    globex_partner: Partner
    globex_partner_admin: User
    operator: User

    def users(self) -> dict[str, User]:
        """Every acme user by cast name, for tests that loop over roles."""
        return {
            "vendor_admin": self.vendor_admin,
            "cm_a": self.cm_a,
            "cm_b": self.cm_b,
            "partner_a_admin": self.partner_a_admin,
            "rep_a1": self.rep_a1,
            "rep_a2": self.rep_a2,
            "partner_b_admin": self.partner_b_admin,
            "rep_b": self.rep_b,
        }


def build_cast() -> Cast:
    public_site_ensure(domain="localhost")
    operator = User.objects.create_superuser(email="ops@platform.example", password=PASSWORD)
    acme = vendor_create(schema="acme", name="Acme Networks", domain="acme.localhost")
    globex = vendor_create(schema="globex", name="Globex Corporation", domain="globex.localhost")

    def staff(email, role, name):
        return user_create(email=email, password=PASSWORD, role=role, full_name=name)

    def member(email, role, name, partner):
        return partner_user_create(
            email=email, password=PASSWORD, role=role, full_name=name, partner=partner
        )

    with schema_context("acme"):
        vendor_admin = staff("vera@acme.example", Role.VENDOR_ADMIN, "Vera Admin")
        cm_a = staff("carl@acme.example", Role.CHANNEL_MANAGER, "Carl Manager")
        cm_b = staff("cora@acme.example", Role.CHANNEL_MANAGER, "Cora Manager")
        partner_a = Partner.objects.create(
            name="Ardent Systems", slug="ardent", country="US", channel_manager=cm_a
        )
        partner_b = Partner.objects.create(
            name="Bergmann IT GmbH",
            slug="bergmann",
            country="DE",
            currency="EUR",
            channel_manager=cm_b,
        )
        partner_a_admin = member("alice@ardent.example", Role.PARTNER_ADMIN, "Alice", partner_a)
        rep_a1 = member("arthur@ardent.example", Role.PARTNER_REP, "Arthur", partner_a)
        rep_a2 = member("anna@ardent.example", Role.PARTNER_REP, "Anna", partner_a)
        partner_b_admin = member("bob@bergmann.example", Role.PARTNER_ADMIN, "Bob", partner_b)
        rep_b = member("bianca@bergmann.example", Role.PARTNER_REP, "Bianca", partner_b)
    with schema_context("globex"):
        globex_admin = staff("gina@globex.example", Role.VENDOR_ADMIN, "Gina Admin")
        globex_partner = Partner.objects.create(name="Contoso Ltd", slug="contoso", country="GB")
        globex_partner_admin = member(
            "carol@contoso.example", Role.PARTNER_ADMIN, "Carol", globex_partner
        )
    return Cast(
        acme=acme,
        globex=globex,
        vendor_admin=vendor_admin,
        cm_a=cm_a,
        cm_b=cm_b,
        partner_a=partner_a,
        partner_a_admin=partner_a_admin,
        rep_a1=rep_a1,
        rep_a2=rep_a2,
        partner_b=partner_b,
        partner_b_admin=partner_b_admin,
        rep_b=rep_b,
        globex_admin=globex_admin,
        globex_partner=globex_partner,
        globex_partner_admin=globex_partner_admin,
        operator=operator,
    )

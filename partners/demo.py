"""Demo data of partners: tiers, territories, agreement, an application. Idempotent."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    ApplicationStatus,
    Membership,
    Partner,
    PartnerApplication,
    PartnerType,
    Territory,
    Tier,
)
from prm.accounts.models import Role, User

TIERS = (
    ("Registered", 1, Decimal("0"), 0, Decimal("5")),
    ("Silver", 2, Decimal("250000"), 2, Decimal("12")),
    ("Gold", 3, Decimal("1000000"), 5, Decimal("20")),
)
TERRITORIES = (
    ("Americas", ["US", "CA", "MX", "BR"], "cm1@acme.example"),
    ("Europe", ["DE", "FR", "GB", "NL", "AT", "CH"], "cm1@acme.example"),
    ("Asia-Pacific", ["VN", "JP", "SG", "AU", "TH"], "cm2@acme.example"),
)
PARTNER_PROFILES = {
    "northwind": ("Silver", PartnerType.RESELLER),
    "mueller": ("Gold", PartnerType.DISTRIBUTOR),
    "saigon": ("Registered", PartnerType.RESELLER),
    "lonestar": ("Registered", PartnerType.MSP),
    "contoso": ("Registered", PartnerType.REFERRAL),
}
AGREEMENT = (
    "Partner Programme Agreement",
    "1. The partner resells the vendor's products in its territory.\n"
    "2. Deal registrations are protected for the vendor's protection period.\n"
    "3. The partner reports its sales every month.",
)


@transaction.atomic
def seed(vendor) -> None:
    tiers = {}
    for name, rank, sales, reps, discount in TIERS:
        tiers[name], _created = Tier.objects.get_or_create(
            name=name,
            defaults={
                "rank": rank,
                "min_yearly_sales": sales,
                "min_certified_reps": reps,
                "discount_percent": discount,
            },
        )
    for name, countries, cm_email in TERRITORIES:
        Territory.objects.get_or_create(
            name=name,
            defaults={
                "countries": countries,
                "channel_manager": User.objects.filter(email=cm_email).first(),
            },
        )
    admin = User.objects.filter(role=Role.VENDOR_ADMIN).order_by("pk").first()
    version = AgreementVersion.objects.order_by("-number").first()
    if version is None:
        version = AgreementVersion.objects.create(
            number=1, title=AGREEMENT[0], body=AGREEMENT[1], published_by=admin
        )
    for partner in Partner.objects.all():
        tier_name, kind = PARTNER_PROFILES.get(partner.slug, ("Registered", PartnerType.RESELLER))
        if partner.tier_id is None:
            partner.tier = tiers[tier_name]
            partner.partner_type = kind
            partner.email_domains = partner.email_domains or [f"{partner.slug}.example"]
            partner.territory = Territory.objects.filter(
                countries__contains=[partner.country]
            ).first()
            partner.save()
        partner_admin = User.objects.filter(
            membership__partner=partner, role=Role.PARTNER_ADMIN
        ).first()
        AgreementAcceptance.objects.get_or_create(
            partner=partner, version=version, defaults={"accepted_by": partner_admin}
        )
    Membership.objects.filter(partner__slug="mueller", certified_on__isnull=True).update(
        certified_on=timezone.localdate()
    )
    if vendor.schema_name == "acme":
        PartnerApplication.objects.get_or_create(
            contact_email="hanna@nordlicht.example",
            defaults={
                "company_name": "Nordlicht Netzwerke",
                "country": "DE",
                "partner_type": PartnerType.RESELLER,
                "contact_name": "Hanna Nord",
                "message": "Network integrator in Hamburg, 40 engineers.",
                "status": ApplicationStatus.SUBMITTED,
                "channel_manager": User.objects.filter(email="cm1@acme.example").first(),
            },
        )

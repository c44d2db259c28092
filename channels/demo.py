"""Demo data of channels: one announcement sent to every partner of acme. Idempotent."""

from django.db import transaction
from django.utils import timezone

from channels.models import Announcement, AnnouncementRecipient
from partners.models import Partner
from prm.accounts.models import Role, User


@transaction.atomic
def seed(vendor) -> None:
    if vendor.schema_name != "acme" or Announcement.objects.exists():
        return
    admin = User.objects.filter(role=Role.VENDOR_ADMIN).order_by("pk").first()
    announcement = Announcement.objects.create(
        title="Q3 promotion: 5% extra on switches",
        body="Register switch deals before 30 September for an extra 5% discount.",
        author=admin,
    )
    AnnouncementRecipient.objects.bulk_create(
        AnnouncementRecipient(announcement=announcement, partner=partner, emailed_at=timezone.now())
        for partner in Partner.objects.all()
    )

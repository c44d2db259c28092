"""Two channel managers approving the same application at once: exactly one succeeds.

Each reviewer runs in its own thread with its own database connection, on committed rows
(a transaction per reviewer, as in two real requests); everything is removed afterwards.
"""

import threading
import uuid

from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from partners import services
from partners.models import Partner, PartnerApplication


def test_it_lets_only_one_of_two_simultaneous_approvals_through(cast, django_db_blocker):
    tag = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock(), schema_context("acme"):
        application = PartnerApplication.objects.create(
            company_name=f"Race Co {tag}",
            country="US",
            contact_name="Rae",
            contact_email=f"rae@race{tag}.example",
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def review(reviewer):
        try:
            with django_db_blocker.unblock():
                connection.set_schema("acme")
                connection.ensure_connection()  # connect before the race, not during it
                barrier.wait(timeout=60)
                try:
                    services.application_approve(application=application, user=reviewer)
                    outcomes.append("approved")
                except ValidationError:
                    outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(cm,)) for cm in (cast.cm_a, cast.cm_b)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(outcomes) == ["approved", "refused"]
        with django_db_blocker.unblock(), schema_context("acme"):
            assert Partner.objects.filter(name=f"Race Co {tag}").count() == 1
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            for partner in Partner.objects.filter(name=f"Race Co {tag}"):
                partner.invitations.all().delete()
                partner.status_changes.all().delete()
                PartnerApplication.objects.filter(partner=partner).update(partner=None)
                partner.delete()
            PartnerApplication.objects.filter(pk=application.pk).delete()
            connection.close()

"""Who changed what on a partner, shown on its page: channel manager, tier, profile and
its users' roles, each with the author and the values before and after."""

from partners.models import Partner, Tier
from prm.accounts.models import User


def history_rows(client, partner) -> list[str]:
    body = client.get(f"/partners/{partner.pk}/").content.decode()
    table = body.split('data-testid="change-history"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    return [" | ".join(cell.split("</td>")[0] for cell in row.split("<td>")[2:]) for row in rows]


def test_it_shows_who_reassigned_retiered_and_edited_a_partner(cast, acme, client_for):
    gold = Tier.objects.create(name="Gold", rank=3, discount_percent=20)
    admin = client_for(cast.vendor_admin)
    partner = cast.partner_a
    assert (
        admin.post(f"/partners/{partner.pk}/assign/", {"channel_manager": cast.cm_b.pk}).status_code
        == 302
    )
    assert admin.post(f"/partners/{partner.pk}/tier/", {"tier": gold.pk}).status_code == 302
    rows = history_rows(admin, partner)
    who = str(cast.vendor_admin)
    assert f"{who} | Ardent Systems: tier | — | Gold" in rows[0]
    assert any(
        f"{who} | Ardent Systems: channel manager | {cast.cm_a} | {cast.cm_b}" in row
        for row in rows
    )
    assert Partner.history.filter(id=partner.pk).count() >= 3  # seeded row + two changes


def test_it_shows_a_partner_users_role_change_by_their_admin(cast, acme, client_for):
    client_for(cast.partner_a_admin).post(
        f"/portal/users/{cast.rep_a2.pk}/role/", {"role": "partner_admin"}
    )
    assert User.objects.get(pk=cast.rep_a2.pk).role == "partner_admin"
    rows = history_rows(client_for(cast.vendor_admin), cast.partner_a)
    who, subject = cast.partner_a_admin, cast.rep_a2.full_name
    assert rows[0] == f"{who} | {subject}: role | Partner sales rep | Partner admin"


def test_it_keeps_the_history_of_partner_b_off_partner_as_page(cast, acme, client_for):
    client_for(cast.partner_b_admin).post(
        f"/portal/users/{cast.rep_b.pk}/role/", {"role": "partner_admin"}
    )
    rows = history_rows(client_for(cast.vendor_admin), cast.partner_a)
    assert not any(cast.rep_b.full_name in row for row in rows)


def test_a_bulk_reassignment_shows_on_each_moved_partners_history(cast, acme, client_for):
    from partners.history import BULK_REASSIGNMENT
    from tests.partners.helpers import make_partner

    moved = [make_partner(name=f"Moved {n}", channel_manager=cast.cm_a) for n in range(3)]
    admin = client_for(cast.vendor_admin)

    response = admin.post(
        "/workspace/reassign/", {"from_manager": cast.cm_a.pk, "to_manager": cast.cm_b.pk}
    )

    assert response.status_code == 302
    for partner in [cast.partner_a, *moved]:
        rows = history_rows(admin, partner)
        assert rows[0] == (
            f"{cast.vendor_admin} | {partner.name}: channel manager | {cast.cm_a} | {cast.cm_b}"
            ' <small class="muted">(all partners of this channel manager were moved at once)'
            "</small>"
        ), rows
    # Bergmann was cm_b's already: not moved, nothing recorded.
    assert not any("channel manager" in row for row in history_rows(admin, cast.partner_b))
    recorded = Partner.history.filter(history_change_reason=BULK_REASSIGNMENT)
    assert sorted(recorded.values_list("name", flat=True)) == sorted(
        ["Ardent Systems", *(p.name for p in moved)]
    )


def application_history_rows(client, application) -> list[str]:
    response = client.get(f"/partners/applications/{application.pk}/")
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    table = body.split('data-testid="change-history"', 1)[1].split("</table>", 1)[0]
    if "No changes recorded yet." in table:
        return []
    rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    return [" | ".join(cell.split("</td>")[0] for cell in row.split("<td>")[2:]) for row in rows]


def test_a_bulk_reassignment_shows_on_each_moved_applications_history(cast, acme, client_for):
    from partners.history import BULK_REASSIGNMENT
    from partners.models import ApplicationStatus, PartnerApplication
    from tests.partners.helpers import make_application

    waiting = [make_application(channel_manager=cast.cm_a) for _ in range(3)]
    decided = make_application(channel_manager=cast.cm_a, status=ApplicationStatus.REJECTED)
    bergmanns = make_application(channel_manager=cast.cm_b)
    admin = client_for(cast.vendor_admin)

    response = admin.post(
        "/workspace/reassign/", {"from_manager": cast.cm_a.pk, "to_manager": cast.cm_b.pk}
    )

    assert response.status_code == 302
    for application in waiting:
        rows = application_history_rows(admin, application)
        assert rows == [
            f"{cast.vendor_admin} | {application.company_name}: channel manager | {cast.cm_a}"
            f' | {cast.cm_b} <small class="muted">(all open applications of this channel'
            " manager were moved at once)</small>"
        ], rows
        # The CM who has it now sees the same history on the page they review it from.
        assert application_history_rows(client_for(cast.cm_b), application) == rows
    # A decided application stays with the CM who decided; cm_b's own was not moved.
    assert PartnerApplication.objects.get(pk=decided.pk).channel_manager == cast.cm_a
    assert application_history_rows(admin, decided) == []
    assert application_history_rows(admin, bergmanns) == []
    recorded = PartnerApplication.history.filter(history_change_reason=BULK_REASSIGNMENT)
    assert sorted(recorded.values_list("id", flat=True)) == sorted(a.pk for a in waiting)


def test_an_applications_history_shows_who_decided_it(cast, acme, client_for):
    from tests.partners.helpers import make_application

    application = make_application(channel_manager=cast.cm_a)
    cm = client_for(cast.cm_a)
    assert application_history_rows(cm, application) == []

    cm.post(f"/partners/applications/{application.pk}/reject/", {"reason": "Not a reseller"})

    rows = application_history_rows(cm, application)
    name = application.company_name
    assert f"{cast.cm_a} | {name}: status | Waiting for review | Rejected" in rows
    assert f"{cast.cm_a} | {name}: reviewed by | — | {cast.cm_a}" in rows
    assert f"{cast.cm_a} | {name}: reason for rejection | — | Not a reseller" in rows

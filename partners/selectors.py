"""Reads on partners, and the one rule every app uses to scope rows by partner.

A vendor admin sees every partner of the tenant, a channel manager the partners assigned
to them, a partner user only their own partner (docs/product-rules.md, Visibility).
"""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    Invitation,
    Membership,
    Partner,
    PartnerApplication,
    PartnerStatusChange,
    Territory,
)


def partner_scope(user, *, via: str = "partner") -> Q:
    """A filter on any model that reaches a Partner through the lookup path `via`.

    Returns a filter that matches nothing for users with no partner scope, so a new role
    sees nothing until someone decides otherwise.
    """
    prefix = f"{via}__" if via else ""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_vendor_admin:
        return Q()
    if user.is_channel_manager:
        return Q(**{f"{prefix}channel_manager": user})
    if user.is_partner_user:
        return Q(**{f"{prefix}pk" if via else "pk": user.partner.pk})
    return Q(pk__in=[])


def in_partner_scope(user, partner: Partner) -> bool:
    """`partner_scope` for one partner already in memory (no query): the same rules."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_vendor_admin:
        return True
    if user.is_channel_manager:
        return partner.channel_manager_id == user.pk
    if user.is_partner_user:
        return user.partner.pk == partner.pk
    return False


def restrict_to_partners(queryset: QuerySet, user, *, via: str = "partner") -> QuerySet:
    """`queryset` narrowed to the rows of partners `user` may see."""
    return queryset.filter(partner_scope(user, via=via))


def partners_visible_to(user) -> QuerySet[Partner]:
    return restrict_to_partners(Partner.objects.all(), user, via="")


def get_partner_for(user, pk: int) -> Partner:
    """One partner, or 404 when it is outside the user's scope (it may not even exist)."""
    return get_object_or_404(partners_visible_to(user), pk=pk)


# --- Directory ---------------------------------------------------------------------------

DIRECTORY_SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "country": ("country", "name"),
    "-country": ("-country", "name"),
    "status": ("status", "name"),
    "-status": ("-status", "name"),
    "tier": (F("tier__rank").asc(nulls_first=True), "name"),
    "-tier": (F("tier__rank").desc(nulls_last=True), "name"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
}


def partner_directory(
    user,
    *,
    query: str = "",
    status: str = "",
    partner_type: str = "",
    tier: int | None = None,
    territory: int | None = None,
    country: str = "",
    channel_manager: int | None = None,
    sort: str = "name",
) -> QuerySet[Partner]:
    """The vendor's partner list, searched, filtered and sorted; one query per page."""
    partners = partners_visible_to(user).select_related("tier", "territory", "channel_manager")
    if query:
        partners = partners.filter(
            Q(name__icontains=query)
            | Q(legal_name__icontains=query)
            | Q(slug__icontains=query)
            | Q(email_domains__icontains=query)
        )
    if status:
        partners = partners.filter(status=status)
    if partner_type:
        partners = partners.filter(partner_type=partner_type)
    if tier:
        partners = partners.filter(tier_id=tier)
    if territory:
        partners = partners.filter(territory_id=territory)
    if country:
        partners = partners.filter(country=country.upper())
    if channel_manager:
        partners = partners.filter(channel_manager_id=channel_manager)
    return with_user_count(partners).order_by(
        *DIRECTORY_SORTS.get(sort, DIRECTORY_SORTS["name"]), "pk"
    )


def with_user_count(partners: QuerySet[Partner]) -> QuerySet[Partner]:
    """Each partner's number of users (`user_count`), counted per partner of the page: a
    join with GROUP BY counted the users of every partner in scope before the page of 50
    was cut (the vendor admin's 5,000 partners on each workspace and directory page)."""
    users = (
        Membership.objects.filter(partner=OuterRef("pk"))
        .order_by()
        .values("partner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return partners.annotate(user_count=Coalesce(Subquery(users), 0))


def partners_matching_email(user, email: str) -> QuerySet[Partner]:
    """Partners (in `user`'s scope) whose e-mail domains include `email`'s domain: the
    person may belong there. Only ever used to suggest, never to add anyone."""
    domain = email.rpartition("@")[2].lower()
    if not domain:
        return Partner.objects.none()
    return partners_visible_to(user).filter(email_domains__contains=[domain])


def status_history(partner) -> QuerySet[PartnerStatusChange]:
    return partner.status_changes.select_related("changed_by")


# --- Partner users -----------------------------------------------------------------------


def partner_members(user, partner) -> QuerySet:
    """The users of `partner`, for someone who may already see that partner."""
    from prm.accounts.models import User

    _require_visible(user, partner)
    return User.objects.filter(membership__partner=partner).select_related("membership")


def _require_visible(user, partner) -> None:
    """A foreign partner answers 404. exists(), not a second get_partner_for(): the view
    fetched the partner already, and a repeated get() reads as an N+1 to django-zeal."""
    if not partners_visible_to(user).filter(pk=partner.pk).exists():
        raise Http404


def get_member_for(user, pk: int):
    """One user of the acting partner admin's own partner, or 404."""
    from prm.accounts.models import User

    scope = User.objects.none()
    if user.is_partner_admin:
        scope = User.objects.filter(membership__partner=user.partner)
    return get_object_or_404(scope.select_related("membership"), pk=pk)


def open_invitations(user, partner) -> QuerySet[Invitation]:
    _require_visible(user, partner)
    return partner.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_for_link(pk: int, token: str) -> Invitation:
    """The open invitation an e-mailed link points to (anyone holding the link may use
    it); raises services.InvitationInvalid for a wrong, used, withdrawn or expired one."""
    from partners.services import invitation_check

    invitation = Invitation.objects.select_related("partner").filter(pk=pk).first()
    return invitation_check(invitation=invitation, token=token)


def get_invitation_for(user, pk: int) -> Invitation:
    return get_object_or_404(restrict_to_partners(Invitation.objects.all(), user), pk=pk)


# --- Applications ------------------------------------------------------------------------


def applications_visible_to(user) -> QuerySet[PartnerApplication]:
    """Vendor admins see every application; a CM those routed to them or to no one (any
    CM may pick those up); partner users none."""
    applications = PartnerApplication.objects.select_related("channel_manager", "reviewed_by")
    if user.is_vendor_admin:
        return applications
    if user.is_channel_manager:
        return applications.filter(Q(channel_manager=user) | Q(channel_manager__isnull=True))
    return applications.none()


def get_application_for(user, pk: int) -> PartnerApplication:
    return get_object_or_404(applications_visible_to(user), pk=pk)


# --- Agreement ---------------------------------------------------------------------------


def agreement_versions() -> QuerySet[AgreementVersion]:
    """Every published version, newest first (programme terms: all vendor staff read them)."""
    return AgreementVersion.objects.select_related("published_by").order_by("-number")


def current_agreement() -> AgreementVersion | None:
    return AgreementVersion.objects.order_by("-number").first()


def accepted_current_agreement(partner) -> bool:
    """True when there is nothing to accept or the partner accepted the newest version."""
    current = current_agreement()
    return current is None or partner.agreement_acceptances.filter(version=current).exists()


def agreement_acceptances(partner) -> QuerySet[AgreementAcceptance]:
    return partner.agreement_acceptances.select_related("version", "accepted_by")


def applications_waiting_on(user, *, limit: int = 20):
    """Work-queue source (prm.core.extensions): applications this user may review. Two queries."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from partners.models import ApplicationStatus
    from prm.core.extensions import QueueItem

    waiting = applications_visible_to(user).filter(status=ApplicationStatus.SUBMITTED)
    total = waiting.count()
    items = (
        [
            QueueItem(
                kind=_("Application"),
                title=application.company_name,
                url=reverse("partners:application", kwargs={"pk": application.pk}),
                waiting_since=application.submitted_at,
                detail=f"{application.country} · {application.get_partner_type_display()}",
            )
            for application in waiting.order_by("submitted_at")[:limit]
        ]
        if limit and total
        else []
    )
    return items, total


def territories_visible_to(user) -> QuerySet[Territory]:
    """Territories are programme configuration: every vendor staff member sees them."""
    if not user.is_vendor_staff:
        return Territory.objects.none()
    return Territory.objects.select_related("channel_manager").annotate(
        partner_count=Count("partners")
    )


def territory_for_country(country: str) -> Territory | None:
    if not country:
        return None
    return (
        Territory.objects.filter(countries__contains=[country.upper()])
        .select_related("channel_manager")
        .order_by("name")
        .first()
    )

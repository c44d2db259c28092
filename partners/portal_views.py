"""Partner portal pages. Every read goes through a selector scoped to request.user, and
every write takes the partner from the logged-in user, never from the request."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners import services
from partners.forms import InviteForm, RoleForm
from partners.models import PartnerStatus
from partners.rules import restriction_for
from partners.selectors import (
    accepted_current_agreement,
    current_agreement,
    get_invitation_for,
    get_member_for,
    get_partner_for,
    open_invitations,
    partner_members,
)
from partners.tiers import tier_progress
from prm.accounts.access import (
    partner_admin_required,
    partner_user_read_admin_write,
    partner_user_required,
)
from prm.core.extensions import page_sections, registry


def _own_partner(request: HttpRequest):
    return get_partner_for(request.user, request.user.partner.pk)


@partner_user_required
def home(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    is_admin = request.user.is_partner_admin
    # Sales figures are for partner admins; reps see the tier and the reps requirement.
    progress = tier_progress(partner) if is_admin else tier_progress(partner, sales=Decimal(0))
    return render(
        request,
        "partners/portal_home.html",
        {
            "partner": partner,
            "progress": progress,
            "show_sales": is_admin,
            "restriction": restriction_for(partner),
            # Other apps' blocks (announcements), added in their AppConfig.ready.
            "sections": page_sections(registry.portal_sections(), request, partner),
            "agreement_pending": not accepted_current_agreement(partner),
            "members": partner_members(request.user, partner) if is_admin else None,
            "onboarding": partner.status == PartnerStatus.ONBOARDING,
        },
    )


@partner_admin_required
def users(request: HttpRequest) -> HttpResponse:
    """The partner's own users and open invitations; partner admins invite here."""
    partner = _own_partner(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                partner=partner,
                user=request.user,
                language=request.user.language,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works for 7 days.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("portal:users")
    return render(
        request,
        "partners/portal_users.html",
        {
            "partner": partner,
            "members": partner_members(request.user, partner),
            "invitations": open_invitations(request.user, partner),
            "form": form,
            "role_choices": RoleForm.base_fields["role"].choices,
        },
    )


@require_POST
@partner_admin_required
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.partner_user_set_active(user=request.user, member=member, active=active)
        messages.success(
            request,
            _("%(name)s can log in again.") % {"name": member}
            if active
            else _("%(name)s can no longer log in.") % {"name": member},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("portal:users")


@require_POST
@partner_admin_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for(request.user, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.partner_user_set_role(
                user=request.user, member=member, role=form.cleaned_data["role"]
            )
            messages.success(request, _("Role changed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("portal:users")


@require_POST
@partner_admin_required
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for(request.user, pk)
    services.invitation_revoke(invitation=invitation, user=request.user)
    messages.success(request, _("Invitation withdrawn; its link no longer works."))
    return redirect("portal:users")


@partner_user_read_admin_write
def agreement(request: HttpRequest) -> HttpResponse:
    """Read the current programme agreement; partner admins accept it here."""
    partner = _own_partner(request)
    current = current_agreement()
    if request.method == "POST":
        if current is not None and str(current.pk) == request.POST.get("version"):
            try:
                services.agreement_accept(partner=partner, version=current, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Thank you: the agreement is accepted."))
                return redirect("portal:home")
        else:
            messages.error(
                request, _("A newer version has been published. Read it and accept that one.")
            )
        return redirect("portal:agreement")
    return render(
        request,
        "partners/portal_agreement.html",
        {
            "partner": partner,
            "current": current,
            "accepted": partner.agreement_acceptances.filter(version=current)
            .select_related("accepted_by")
            .first()
            if current
            else None,
        },
    )

"""Vendor-side partner pages (vendor admins and channel managers) and the public pages
of a vendor's host (apply to become a partner, accept an invitation)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners import services
from partners.forms import (
    AcceptInvitationForm,
    AgreementForm,
    ApplicationForm,
    AssignForm,
    InviteForm,
    PartnerFilterForm,
    PartnerProfileForm,
    RejectForm,
    StatusForm,
    TierEditForm,
    TierForm,
)
from partners.history import application_changes, partner_changes
from partners.models import ApplicationStatus, Tier
from partners.selectors import (
    agreement_acceptances,
    agreement_versions,
    applications_visible_to,
    current_agreement,
    get_application_for,
    get_partner_for,
    invitation_for_link,
    open_invitations,
    partner_directory,
    partner_members,
    partner_scope,
    partners_matching_email,
    status_history,
)
from partners.tiers import tier_progress
from prm.accounts.access import (
    vendor_admin_required,
    vendor_staff_read_admin_write,
    vendor_staff_required,
)
from prm.accounts.network import client_ip
from prm.accounts.throttle import Throttle, hit_all
from prm.core import exports
from prm.core.extensions import page_sections, registry
from prm.core.http import query_without_page, wants_partial

PAGE_SIZE = 25


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Directory ---------------------------------------------------------------------------


@vendor_staff_required
def partner_list(request: HttpRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET or None, user=request.user)
    partners = partner_directory(request.user, **(form.filters() if form.is_bound else {}))
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = "partners/partner_list.html"
    if wants_partial(request):
        template += "#results"
    return render(request, template, context)


@vendor_staff_required
def partner_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The partner list as searched and filtered, every page of it, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = PartnerFilterForm(request.GET or None, user=request.user)
    partners = partner_directory(request.user, **(form.filters() if form.is_bound else {}))
    headers = [
        _("Partner"),
        _("Slug"),
        _("Type"),
        _("Tier"),
        _("Status"),
        _("Country"),
        _("Territory"),
        _("Channel manager"),
        _("Users"),
    ]
    rows = [
        [
            partner.name,
            partner.slug,
            partner.get_partner_type_display(),
            str(partner.tier) if partner.tier else None,
            partner.get_status_display(),
            partner.country,
            str(partner.territory) if partner.territory else None,
            str(partner.channel_manager) if partner.channel_manager else None,
            partner.user_count,
        ]
        for partner in partners
    ]
    table = exports.Table(name=_("Partners"), headers=headers, rows=rows)
    return exports.response(table, filename=f"partners-{timezone.localdate():%Y-%m-%d}", fmt=fmt)


@vendor_staff_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    # Other apps' blocks (reports, scorecard), added in their AppConfig.ready.
    sections = page_sections(registry.partner_sections(), request, partner)
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "members": partner_members(request.user, partner),
            "invitations": open_invitations(request.user, partner),
            "history": status_history(partner)[:20],
            "changes": partner_changes(partner),
            "acceptances": agreement_acceptances(partner)[:5],
            "progress": tier_progress(partner),
            "status_form": StatusForm(allowed=services.TRANSITIONS[partner.status]),
            "assign_form": AssignForm(
                initial={
                    "channel_manager": partner.channel_manager_id,
                    "territory": partner.territory_id,
                }
            ),
            "tier_form": TierForm(initial={"tier": partner.tier_id}),
            "invite_form": InviteForm(initial={"role": "partner_admin"}),
            "sections": sections,
        },
    )


@vendor_staff_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    initial = {name: getattr(partner, name) for name in services.PROFILE_FIELDS}
    initial["email_domains"] = ", ".join(partner.email_domains)
    form = PartnerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.partner_update_profile(partner=partner, user=request.user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("partners:detail", pk=partner.pk)
    return render(request, "partners/partner_edit.html", {"partner": partner, "form": form})


def _partner_action(request, pk, form_class, act, success, invalid="") -> HttpResponse:
    """The shape of every form posted from the partner page: fetch the partner through
    the user's scope (404 outside it), validate, call one service, say what happened."""
    partner = get_partner_for(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        if invalid:
            messages.error(request, invalid)
    else:
        try:
            act(partner, form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, success(form.cleaned_data))
    return redirect("partners:detail", pk=partner.pk)


@require_POST
@vendor_staff_required
def partner_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_action(
        request,
        pk,
        StatusForm,
        lambda partner, data: services.partner_change_status(
            partner=partner, to_status=data["to_status"], user=request.user, reason=data["reason"]
        ),
        lambda data: _("Status changed."),
        invalid=_("Choose a status."),
    )


@require_POST
@vendor_admin_required
def partner_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_action(
        request,
        pk,
        AssignForm,
        lambda partner, data: services.partner_assign(partner=partner, user=request.user, **data),
        lambda data: _("Assignment saved."),
    )


@require_POST
@vendor_staff_required
def partner_tier(request: HttpRequest, pk: int) -> HttpResponse:
    return _partner_action(
        request,
        pk,
        TierForm,
        lambda partner, data: services.partner_set_tier(
            partner=partner, tier=data["tier"], user=request.user
        ),
        lambda data: _("Tier saved."),
    )


@require_POST
@vendor_staff_required
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Vendor staff invite a partner's first admin (e.g. after an import) or a user."""
    return _partner_action(
        request,
        pk,
        InviteForm,
        lambda partner, data: services.invitation_create(
            partner=partner, user=request.user, **data
        ),
        lambda data: (
            _("Invitation sent to %(email)s. The link works for 7 days.") % {"email": data["email"]}
        ),
        invalid=_("Enter a valid e-mail address and choose a role."),
    )


# --- Programme tiers ---------------------------------------------------------------------


@vendor_staff_required
def tier_list(request: HttpRequest) -> HttpResponse:
    """The programme's tiers in rank order; vendor admins change them, CMs read them.

    The partner count per tier is of the partners the user sees (a CM: their own)."""
    tiers = Tier.objects.annotate(
        partner_count=Count("partners", filter=partner_scope(request.user, via="partners"))
    ).order_by("rank")
    return render(request, "partners/tier_list.html", {"tiers": tiers})


def _tier_form_page(request: HttpRequest, tier: Tier | None) -> HttpResponse:
    """Create (tier None) or edit one tier: validate the form, let the service check the
    programme-wide rules (unique name and rank), show its errors next to the fields."""
    initial = TierEditForm.initial_for(tier) if tier else None
    form = TierEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if tier is None:
                saved = services.tier_create(user=request.user, **form.cleaned_data)
            else:
                saved = services.tier_update(tier=tier, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tier %(name)s saved.") % {"name": saved.name})
            return redirect("partners:tiers")
    return render(request, "partners/tier_edit.html", {"form": form, "tier": tier})


@vendor_admin_required
def tier_create(request: HttpRequest) -> HttpResponse:
    return _tier_form_page(request, None)


@vendor_admin_required
def tier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _tier_form_page(request, get_object_or_404(Tier, pk=pk))


@require_POST
@vendor_admin_required
def tier_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=pk)
    try:
        services.tier_delete(tier=tier, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("partners:tier_edit", pk=tier.pk)
    messages.success(request, _("Tier %(name)s deleted.") % {"name": tier.name})
    return redirect("partners:tiers")


# --- Applications ------------------------------------------------------------------------


#: Applications one client address may send per hour: the page is public, and every
#: application lands in a channel manager's queue and e-mails the contact address. The
#: address comes from prm.accounts.network.client_ip (the trusted proxies' view), so
#: visitors behind the TLS proxy do not share one counter. Settings: APPLY_PER_CLIENT.
APPLICATIONS_PER_HOUR = settings.APPLY_PER_CLIENT[0]


def apply_throttles() -> tuple[Throttle, Throttle]:
    """Per contact address (the acknowledgement e-mail must not make this page a relay
    that mails one inbox again and again) and per client."""
    return (
        Throttle("apply:address", *settings.APPLY_PER_ADDRESS),
        Throttle("apply:client", *settings.APPLY_PER_CLIENT),
    )


def apply(request: HttpRequest) -> HttpResponse:
    """The public "become a partner" page on the vendor's host (no login)."""
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        per_address, per_client = apply_throttles()
        if not hit_all(
            (per_address, form.cleaned_data["contact_email"]),
            (per_client, client_ip(request) or ""),
        ):
            form.add_error(
                None,
                _(
                    "Too many applications were sent from your network or for this "
                    "e-mail address recently. Try again later."
                ),
            )
            return render(request, "partners/apply.html", {"form": form}, status=429)
        try:
            services.application_submit(language=get_language() or "", **form.cleaned_data)
        except ValidationError as error:
            form.add_error("contact_email", error)
        else:
            return redirect("partners:apply_done")
    return render(request, "partners/apply.html", {"form": form})


def apply_done(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/apply_done.html")


@vendor_staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ApplicationStatus.SUBMITTED)
    if status not in ApplicationStatus.values:
        status = ApplicationStatus.SUBMITTED
    applications = applications_visible_to(request.user).filter(status=status)
    page = Paginator(applications.order_by("submitted_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partners/application_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
        },
    )


@vendor_staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for(request.user, pk)
    return render(
        request,
        "partners/application_detail.html",
        {
            "application": application,
            "reject_form": RejectForm(),
            "matching_partners": partners_matching_email(request.user, application.contact_email),
            "changes": application_changes(application),
        },
    )


@require_POST
@vendor_staff_required
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for(request.user, pk)
    try:
        partner, invitation = services.application_approve(
            application=application, user=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("partners:application", pk=application.pk)
    messages.success(
        request,
        _("%(partner)s is now onboarding. %(email)s has been invited as partner admin.")
        % {"partner": partner.name, "email": invitation.email},
    )
    return redirect("partners:detail", pk=partner.pk)


@require_POST
@vendor_staff_required
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for(request.user, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.application_reject(
                application=application, user=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Application rejected; the applicant is told why."))
            return redirect("partners:applications")
        except ValidationError as error:
            messages.error(request, _error_text(error))
    else:
        messages.error(request, _("Say why the application is rejected."))
    return redirect("partners:application", pk=application.pk)


@require_POST
@vendor_staff_required
def application_refer(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    """Invite the applicant to the existing partner their e-mail domain belongs to."""
    application = get_application_for(request.user, pk)
    partner = get_object_or_404(
        partners_matching_email(request.user, application.contact_email), pk=partner_pk
    )
    try:
        services.application_refer_to_partner(
            application=application, partner=partner, user=request.user
        )
        messages.success(
            request,
            _("%(email)s has been invited to join %(partner)s.")
            % {"email": application.contact_email, "partner": partner.name},
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("partners:applications")


# --- Invitations (public) ----------------------------------------------------------------


def invitation_accept(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Set a password and join the partner. Wrong, used or expired links say so."""
    try:
        invitation = invitation_for_link(pk, token)
    except services.InvitationInvalid:
        return render(request, "partners/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                token=token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                language=get_language() or "",
            )
        except services.InvitationInvalid:
            return render(request, "partners/invitation_invalid.html", status=404)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("portal:home")
    return render(
        request,
        "partners/invitation_accept.html",
        {
            "form": form,
            "invitation": invitation,
        },
    )


# --- Programme agreement (vendor side) ---------------------------------------------------


@vendor_staff_read_admin_write
def agreements(request: HttpRequest) -> HttpResponse:
    """Versions of the programme agreement; vendor admins publish new ones here."""
    form = AgreementForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            version = services.agreement_publish(user=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("Version %(number)s is published. Partner admins are asked to accept it.")
                % {"number": version.number},
            )
            return redirect("partners:agreements")
    return render(
        request,
        "partners/agreements.html",
        {
            "form": form,
            "versions": agreement_versions(),
            "current": current_agreement(),
        },
    )

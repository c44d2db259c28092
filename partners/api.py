"""Partners in the REST API: vendor staff read their partners, vendor admins create and
update them (same scope and services as the partner pages)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from partners import services
from partners.models import Partner, PartnerStatus, PartnerType, Tier
from partners.selectors import partners_visible_to
from prm.accounts.models import Role, User
from prm.api.idempotency import idempotent
from prm.api.pagination import page_schema, paginate

router = Router(tags=["partners"])


class PartnerOut(Schema):
    id: int
    slug: str
    name: str
    status: str
    partner_type: str
    tier: str | None = Field(description="Tier name")
    country: str
    currency: str
    channel_manager: str | None = Field(description="E-mail of the channel manager")
    created_at: datetime

    @staticmethod
    def resolve_tier(partner) -> str | None:
        return partner.tier.name if partner.tier else None

    @staticmethod
    def resolve_channel_manager(partner) -> str | None:
        return partner.channel_manager.email if partner.channel_manager else None


class PartnerCreateIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=60)
    country: str = Field("", max_length=2)
    partner_type: PartnerType = PartnerType.RESELLER
    currency: str = Field("USD", min_length=3, max_length=3)
    channel_manager: str | None = Field(None, description="E-mail of a channel manager")


class PartnerUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    country: str | None = Field(None, max_length=2)
    partner_type: PartnerType | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    channel_manager: str | None = Field(None, description="E-mail; empty string to unassign")
    tier: str | None = Field(None, description="Tier name; empty string for none")


class PartnerFilters(Schema):
    status: PartnerStatus | None = None
    cursor: str | None = None
    limit: int | None = None


PartnerPage = page_schema(PartnerOut)


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_vendor_staff:
        raise PermissionDenied


def _visible(request: HttpRequest):
    return partners_visible_to(request.user).select_related("tier", "channel_manager")


def _channel_manager(email: str) -> User | None:
    if not email:
        return None
    manager = User.objects.filter(
        email__iexact=email, role=Role.CHANNEL_MANAGER, is_active=True
    ).first()
    if manager is None:
        raise HttpError(400, "No active channel manager with that e-mail.")
    return manager


@router.get("/", response=PartnerPage, url_name="partners")
def list_partners(request: HttpRequest, filters: Query[PartnerFilters]):
    """Partners in the key's scope (a CM: their own; a vendor admin: all)."""
    _staff_only(request)
    partners = _visible(request)
    if filters.status:
        partners = partners.filter(status=filters.status)
    return paginate(request, partners, cursor=filters.cursor, limit=filters.limit)


@router.post("/", response={201: PartnerOut}, url_name="partners")
@idempotent(PartnerOut)
def create_partner(request: HttpRequest, payload: PartnerCreateIn):
    """Add a partner (vendor admins); it starts onboarding."""
    if not request.user.is_vendor_admin:
        raise PermissionDenied
    partner = services.partner_create(
        user=request.user,
        name=payload.name,
        slug=payload.slug,
        country=payload.country,
        partner_type=payload.partner_type,
        currency=payload.currency,
        channel_manager=_channel_manager(payload.channel_manager or ""),
    )
    return 201, _visible(request).get(pk=partner.pk)


@router.get("/{slug}/", response=PartnerOut, url_name="partner")
def get_partner(request: HttpRequest, slug: str):
    _staff_only(request)
    return get_object_or_404(_visible(request), slug=slug)


@router.patch("/{slug}/", response=PartnerOut, url_name="partner")
def update_partner(request: HttpRequest, slug: str, payload: PartnerUpdateIn):
    """Change profile fields, the channel manager or the tier (vendor admins)."""
    _staff_only(request)
    partner: Partner = get_object_or_404(_visible(request), slug=slug)
    if not request.user.is_vendor_admin:
        raise PermissionDenied
    changes = payload.dict(exclude_unset=True)
    profile = {
        name: value.upper() if name in ("country", "currency") else value
        for name, value in changes.items()
        if name in ("name", "country", "partner_type", "currency") and value is not None
    }
    if profile:
        services.partner_update_profile(partner=partner, user=request.user, **profile)
    if "channel_manager" in changes:
        services.partner_assign(
            partner=partner,
            channel_manager=_channel_manager(changes["channel_manager"] or ""),
            territory=partner.territory,
            user=request.user,
        )
    if "tier" in changes:
        tier = None
        if changes["tier"]:
            tier = Tier.objects.filter(name=changes["tier"]).first()
            if tier is None:
                raise HttpError(400, "No tier with that name.")
        services.partner_set_tier(partner=partner, tier=tier, user=request.user)
    return _visible(request).get(pk=partner.pk)

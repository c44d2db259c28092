"""Deals and products in the REST API (`/api/v1/deals/`, `/api/v1/products/`).

Thin, like the pages: each operation checks the role, fetches through the deal selectors
(outside the key's scope: 404) and calls the same services with the same version checks.
"""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from deals import selectors, services
from deals.models import Deal, DealStatus, Product
from prm.api.errors import ApiConflict
from prm.api.idempotency import idempotent
from prm.api.pagination import page_schema, paginate

router = Router(tags=["deals"])
products_router = Router(tags=["products"])


# --- Schemas ------------------------------------------------------------------------------


class DealOut(Schema):
    id: int
    partner: str = Field(description="The partner's slug")
    customer_name: str
    customer_domain: str
    customer_country: str
    status: str
    version: int = Field(description="Send it back with a decision or submission")
    expected_value: Decimal | None
    currency: str
    expected_close_date: date | None
    protected_until: date | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None

    @staticmethod
    def resolve_partner(deal: Deal) -> str:
        return deal.partner.slug


class DealLineOut(Schema):
    vendor_sku: str
    product_name: str
    quantity: int
    unit_price: Decimal

    @staticmethod
    def resolve_vendor_sku(line) -> str:
        return line.product.vendor_sku

    @staticmethod
    def resolve_product_name(line) -> str:
        return line.product.name


class RivalOut(Schema):
    id: int
    partner: str
    customer_name: str
    status: str


class ConflictOut(Schema):
    score: int
    reasons: list[str]
    other_deal: RivalOut | None
    direct_account: str | None


class DealDetailOut(DealOut):
    decision_comment: str
    lines: list[DealLineOut]
    conflicts: list[ConflictOut] = Field(description="Vendor staff only; empty for partners")

    @staticmethod
    def resolve_lines(deal: Deal) -> list:
        return list(deal.lines.all())

    @staticmethod
    def resolve_conflicts(deal: Deal, context) -> list[dict]:
        """As the deal page shows them to the key's user (nothing for partner users)."""
        return [
            {
                "score": view.score,
                "reasons": view.reasons,
                "other_deal": (
                    {
                        "id": view.other_deal.pk,
                        "partner": view.other_deal.partner.slug,
                        "customer_name": view.other_deal.customer_name,
                        "status": view.other_deal.status,
                    }
                    if view.other_deal
                    else None
                ),
                "direct_account": str(view.direct_account) if view.direct_account else None,
            }
            for view in selectors.conflicts_for(context["request"].user, deal)
        ]


class LineIn(Schema):
    vendor_sku: str
    quantity: int = Field(ge=1)
    unit_price: Decimal | None = None


class DealIn(Schema):
    customer_name: str = Field(min_length=1, max_length=200)
    customer_domain: str = ""
    customer_country: str = Field("", max_length=2)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    expected_value: Decimal | None = Field(None, description="Omit to sum the lines")
    expected_close_date: date | None = None
    notes: str = ""
    lines: list[LineIn] = Field(min_length=1)


class VersionIn(Schema):
    version: int = Field(description="The deal's version you last read")


class DecisionIn(VersionIn):
    comment: str = Field("", description="Required to reject or to ask for information")


class DealFilters(Schema):
    status: DealStatus | None = None
    partner: str | None = Field(None, description="Partner slug")
    updated_since: datetime | None = None
    cursor: str | None = None
    limit: int | None = None


class ProductOut(Schema):
    vendor_sku: str
    name: str
    list_price: Decimal
    currency: str
    is_active: bool


class ProductIn(Schema):
    vendor_sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    list_price: Decimal = Field(ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    is_active: bool = True


class PageParams(Schema):
    cursor: str | None = None
    limit: int | None = None


DealPage = page_schema(DealOut)
ProductPage = page_schema(ProductOut)


# --- Helpers ------------------------------------------------------------------------------


@contextmanager
def _service_errors():
    """The services' refusals as API answers: a stale version or wrong status is 409."""
    try:
        yield
    except services.DealChanged:
        raise ApiConflict(
            "The deal changed since you read it: fetch it again and retry.", "changed"
        ) from None
    except (services.IllegalTransition, services.ApprovalBlocked) as error:
        raise ApiConflict(" ".join(error.messages), error.code or "conflict") from None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _fresh(request: HttpRequest, deal_id: int) -> Deal:
    return selectors.get_deal_for(request.user, deal_id)


# --- Deals --------------------------------------------------------------------------------


@router.get("/", response=DealPage, url_name="deals")
def list_deals(request: HttpRequest, filters: Query[DealFilters]):
    """The deals the key's user may see (same scope as the deal list page)."""
    deals = selectors.deals_visible_to(request.user).select_related("partner")
    if filters.status:
        deals = deals.filter(status=filters.status)
    if filters.partner:
        deals = deals.filter(partner__slug=filters.partner)
    if filters.updated_since:
        deals = deals.filter(updated_at__gte=filters.updated_since)
    return paginate(request, deals, cursor=filters.cursor, limit=filters.limit)


@router.post("/", response={201: DealDetailOut}, url_name="deals")
@idempotent(DealDetailOut)
def create_deal(request: HttpRequest, payload: DealIn):
    """A draft registration of the key's partner (partner users)."""
    _require(request.user.is_partner_user)
    skus = {line.vendor_sku for line in payload.lines}
    products = dict(Product.objects.filter(vendor_sku__in=skus).values_list("vendor_sku", "pk"))
    unknown = sorted(skus - set(products))
    if unknown:
        raise ValidationError(f"Unknown products: {', '.join(unknown)}.", code="unknown_product")
    data = payload.dict(exclude={"lines"})
    deal = services.deal_create(
        user=request.user,
        data=services.DealInput(**data),
        lines=[
            services.LineInput(
                product_id=products[line.vendor_sku],
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in payload.lines
        ],
    )
    return 201, _fresh(request, deal.pk)


@router.get("/{int:deal_id}/", response=DealDetailOut, url_name="deal")
def get_deal(request: HttpRequest, deal_id: int):
    """One deal with its lines and, for vendor staff, its conflicts."""
    return _fresh(request, deal_id)


@router.post("/{int:deal_id}/submit/", response=DealDetailOut, url_name="deal_submit")
@idempotent(DealDetailOut)
def submit_deal(request: HttpRequest, deal_id: int, payload: VersionIn):
    """Send a draft (or a registration returned for information) to review."""
    _require(request.user.is_partner_user)
    deal = selectors.get_deal_for(request.user, deal_id)
    with _service_errors():
        services.deal_submit(user=request.user, deal_id=deal.pk, expected_version=payload.version)
    return _fresh(request, deal_id)


def _decide(request: HttpRequest, deal_id: int, action) -> Deal:
    _require(request.user.is_vendor_staff)
    deal = selectors.get_deal_for(request.user, deal_id)
    with _service_errors():
        action(deal)
    return _fresh(request, deal_id)


@router.post("/{int:deal_id}/approve/", response=DealDetailOut, url_name="deal_approve")
@idempotent(DealDetailOut)
def approve_deal(request: HttpRequest, deal_id: int, payload: DecisionIn):
    """Approve a submitted registration: its protection period starts today."""
    return _decide(
        request,
        deal_id,
        lambda deal: services.deal_approve(
            user=request.user,
            deal_id=deal.pk,
            expected_version=payload.version,
            comment=payload.comment,
        ),
    )


@router.post("/{int:deal_id}/reject/", response=DealDetailOut, url_name="deal_reject")
@idempotent(DealDetailOut)
def reject_deal(request: HttpRequest, deal_id: int, payload: DecisionIn):
    """Reject, saying why in `comment` (the partner reads it)."""
    return _decide(
        request,
        deal_id,
        lambda deal: services.deal_reject(
            user=request.user,
            deal_id=deal.pk,
            expected_version=payload.version,
            reason=payload.comment,
        ),
    )


@router.post("/{int:deal_id}/request-info/", response=DealDetailOut, url_name="deal_request_info")
@idempotent(DealDetailOut)
def request_info(request: HttpRequest, deal_id: int, payload: DecisionIn):
    """Return the registration to the partner with the question in `comment`."""
    return _decide(
        request,
        deal_id,
        lambda deal: services.deal_request_information(
            user=request.user,
            deal_id=deal.pk,
            expected_version=payload.version,
            question=payload.comment,
        ),
    )


# --- Products -----------------------------------------------------------------------------


@products_router.get("/", response=ProductPage, url_name="products")
def list_products(request: HttpRequest, params: Query[PageParams]):
    """The catalogue (every user of the vendor may read it, as on the deal form)."""
    return paginate(request, Product.objects.all(), cursor=params.cursor, limit=params.limit)


@products_router.post("/", response={200: ProductOut, 201: ProductOut}, url_name="products")
@idempotent(ProductOut)
def upsert_product(request: HttpRequest, payload: ProductIn):
    """Create or update a product by `vendor_sku` (vendor admins): 201 when new."""
    product, created = services.product_upsert(user=request.user, **payload.dict())
    return (201 if created else 200), product

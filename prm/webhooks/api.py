"""Webhook endpoints in the REST API (vendor admins): register one, list them."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from prm.api.idempotency import idempotent
from prm.api.pagination import page_schema, paginate
from prm.webhooks import services
from prm.webhooks.models import Endpoint, Event

router = Router(tags=["webhooks"])


class EndpointOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="whsec_…: shown only in this answer; keep it to verify")


class EndpointIn(Schema):
    url: str = Field(max_length=500)
    events: list[Event] = Field(min_length=1)
    description: str = Field("", max_length=200)


class PageParams(Schema):
    cursor: str | None = None
    limit: int | None = None


EndpointPage = page_schema(EndpointOut)


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_vendor_admin:
        raise PermissionDenied


@router.get("/", response=EndpointPage, url_name="webhooks")
def list_endpoints(request: HttpRequest, params: Query[PageParams]):
    _admin_only(request)
    return paginate(request, Endpoint.objects.all(), cursor=params.cursor, limit=params.limit)


@router.post("/", response={201: EndpointCreatedOut}, url_name="webhooks")
@idempotent(EndpointCreatedOut)
def create_endpoint(request: HttpRequest, payload: EndpointIn):
    """Register an endpoint; the answer carries its signing secret, once."""
    _admin_only(request)
    endpoint = services.endpoint_create(
        user=request.user,
        url=payload.url,
        events=[str(event) for event in payload.events],
        description=payload.description,
    )
    return 201, endpoint

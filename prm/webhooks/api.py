"""Webhook endpoints in the REST API (vendor admins): register, list, read, delete, rotate."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from prm.api.idempotency import idempotent
from prm.api.pagination import page_schema, paginate
from prm.webhooks import selectors, services
from prm.webhooks.models import Event

router = Router(tags=["webhooks"])


class EndpointOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: datetime
    previous_secret_until: datetime | None = Field(
        description="After a rotation: deliveries carry a signature with the old secret too "
        "until then"
    )


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="whsec_…: shown only in this answer; keep it to verify")


class EndpointRotatedOut(EndpointCreatedOut):
    secret: str = Field(
        description="The new whsec_… secret, shown only in this answer; the old one keeps "
        "signing too until previous_secret_until"
    )


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
    endpoints = selectors.endpoints_for(request.user)
    return paginate(request, endpoints, cursor=params.cursor, limit=params.limit)


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


@router.get("/{endpoint_id}/", response=EndpointOut, url_name="webhook")
def get_endpoint(request: HttpRequest, endpoint_id: int):
    _admin_only(request)
    return selectors.get_endpoint_for(request.user, endpoint_id)


@router.delete("/{endpoint_id}/", response={204: None}, url_name="webhook")
def delete_endpoint(request: HttpRequest, endpoint_id: int):
    """Delete the endpoint and its deliveries: nothing more is sent to it, retries included."""
    _admin_only(request)
    endpoint = selectors.get_endpoint_for(request.user, endpoint_id)
    services.endpoint_delete(user=request.user, endpoint=endpoint)
    return Status(204, None)


@router.post(
    "/{endpoint_id}/rotate-secret/", response=EndpointRotatedOut, url_name="webhook_rotate_secret"
)
@idempotent(EndpointRotatedOut)
def rotate_secret(request: HttpRequest, endpoint_id: int):
    """A new signing secret, shown once; the old one also signs deliveries for 24 hours."""
    _admin_only(request)
    endpoint = selectors.get_endpoint_for(request.user, endpoint_id)
    return services.endpoint_rotate_secret(user=request.user, endpoint=endpoint)

"""`Idempotency-Key` on POSTs: the same key gets the same answer, and the effect happens once.

The stored answer is written in the transaction of the POST's effect (a unique row per
key and API key), so a retry after a lost answer, or two copies sent at once, never act
twice: the second waits on the row, then replays the first one's answer. A request that
failed with an error left nothing behind and may be retried with the same key.
"""

import functools
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder

from prm.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
#: Set on every view `idempotent` wraps; `document_header` reads it for the schema.
MARK = "honours_idempotency_key"

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Your unique string for this request. A repeat with the same key and body gets the "
        "first answer again (with `Idempotent-Replayed: true`) and has no second effect; "
        "the same key with another body answers 422. Remembered for 24 hours per API key; "
        "a request that failed stored nothing and may be retried with the same key."
    ),
}


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            digest.update(f"{name}={request.POST.getlist(name)}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _render(request: HttpRequest, schema: type[Schema], result) -> tuple[int, dict]:
    status, obj = result if isinstance(result, tuple) else (200, result)
    validated = schema.model_validate(obj, context={"request": request})
    body = validated.model_dump(mode="json")
    return status, body


def _response(status: int, body: dict, *, replayed: bool = False) -> JsonResponse:
    response = JsonResponse(body, status=status, encoder=NinjaJSONEncoder)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def idempotent(schema: type[Schema]):
    """Wrap a POST operation that answers `schema` (or `(status, schema)`)."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key:
                return _response(*_render(request, schema, func(request, *args, **kwargs)))
            if len(key) > MAX_KEY_LENGTH:
                raise HttpError(400, f"{HEADER} is longer than {MAX_KEY_LENGTH} characters.")
            fingerprint = _fingerprint(request)
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotentRequest.objects.create(
                            api_key=request.api_key,
                            key=key,
                            fingerprint=fingerprint,
                            status_code=0,
                            body={},
                        )
                except IntegrityError:
                    record = IdempotentRequest.objects.get(api_key=request.api_key, key=key)
                    if record.fingerprint != fingerprint:
                        raise HttpError(
                            422, f"This {HEADER} was already used for a different request."
                        ) from None
                    return _response(record.status_code, record.body, replayed=True)
                status, body = _render(request, schema, func(request, *args, **kwargs))
                record.status_code, record.body = status, body
                record.save(update_fields=["status_code", "body"])
            return _response(status, body)

        setattr(wrapper, MARK, True)
        return wrapper

    return decorator


def document_header(*routers: Router) -> None:
    """Add the `Idempotency-Key` header to the OpenAPI operations that honour it.

    Read from the views themselves (the mark `idempotent` leaves), so the schema names the
    header exactly where the code reads it. Call before the API's URLs are built.
    """
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if getattr(operation.view_func, MARK, False):
                    extra = dict(operation.openapi_extra or {})
                    extra["parameters"] = [*extra.get("parameters", []), PARAMETER]
                    operation.openapi_extra = extra

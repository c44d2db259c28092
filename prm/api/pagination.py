"""Cursor pagination: `{"results": [...], "next": url-or-null}`.

The cursor is the last id of the page, opaque to clients (base64). Pages are ordered by
id, so rows added or changed while a client walks the list never shift it: each row is
returned once, and a client that stores the last `next` can resume later.
"""

import base64
import binascii
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError
from pydantic import create_model

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def page_schema(item: type[Schema]) -> type[Schema]:
    """The response schema of a list of `item`s."""
    return create_model(
        f"{item.__name__}Page",
        __base__=Schema,
        results=(list[item], ...),
        next=(str | None, None),
    )


def _decode(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HttpError(400, "Invalid cursor.") from None


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode()


def paginate(
    request: HttpRequest, queryset: QuerySet, *, cursor: str | None, limit: int | None
) -> dict[str, Any]:
    """One page of `queryset` (already scoped and filtered) after `cursor`."""
    size = min(max(limit or DEFAULT_LIMIT, 1), MAX_LIMIT)
    rows = queryset.order_by("pk")
    if cursor:
        rows = rows.filter(pk__gt=_decode(cursor))
    rows = list(rows[: size + 1])
    next_url = None
    if len(rows) > size:
        rows = rows[:size]
        query = request.GET.copy()
        query["cursor"] = _encode(rows[-1].pk)
        query["limit"] = str(size)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": rows, "next": next_url}

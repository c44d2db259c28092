"""Error pages that need nothing that may be broken: no database, no request context.

`server_error` is `handler500` of both URL configurations. Django calls it inside the
`except` block of the failed request, so `sys.exc_info()` says what failed: when it is
the database (PostgreSQL restarting, network gone), the user gets a 503 "temporarily
unavailable" page with Retry-After instead of a generic error. Nothing else changes:
Django discards the broken connection at the end of the request (CONN_HEALTH_CHECKS
checks a reused one first), so the next request after the database is back is served
normally.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation

from prm.core.observability import current_request_id

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: BaseException | None) -> bool:
    """Connection-level failures, not errors in one query (those are bugs: 500)."""
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        if isinstance(exc, DatabaseError):
            return False
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    unavailable = database_unavailable(exc)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.get_template("503.html" if unavailable else "500.html").render(
            {
                "request_id": getattr(request, "request_id", "") or current_request_id(),
                "language": language,
            }
        )
    response = HttpResponse(body, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

"""A body-size cap for requests from visitors who are not logged in.

The public forms (login, password reset, apply, invitation acceptance) need a few
kilobytes; without this cap anyone could make the server read up to
DATA_UPLOAD_MAX_MEMORY_SIZE (and spool files) per request. Logged-in users keep the
general limits and the upload views' own per-vendor limit.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _api_call(request) -> bool:
    """REST API calls authenticate with a key inside the view, before it reads the body
    (an unknown key answers 401 unread); the session user is anonymous there."""
    return request.path_info.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META


class AnonymousBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if (
                length > settings.ANONYMOUS_MAX_BODY_BYTES
                and not request.user.is_authenticated
                and not _api_call(request)
            ):
                return HttpResponse(
                    _("This request is too large. Log in first, or send less."),
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)

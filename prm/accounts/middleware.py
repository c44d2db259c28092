"""Account-level middleware: a body-size cap for requests from visitors who are not
logged in, and the logged-in user's saved language and time zone on every page.

The public forms (login, password reset, apply, invitation acceptance) need a few
kilobytes; without this cap anyone could make the server read up to
DATA_UPLOAD_MAX_MEMORY_SIZE (and spool files) per request. Logged-in users keep the
general limits and the upload views' own per-vendor limit.
"""

import zoneinfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
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


def user_time_zone(user, vendor) -> str:
    """The user's own zone, else the vendor's, else UTC."""
    return getattr(user, "time_zone", "") or getattr(vendor, "time_zone", "") or "UTC"


class UserPreferencesMiddleware:
    """Runs after authentication: the saved language wins over the cookie (so a choice made
    on another device follows the user) and times show in the user's zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(
                    zoneinfo.ZoneInfo(user_time_zone(user, getattr(request, "tenant", None)))
                )
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

"""One error shape for every API answer: `{"detail": ..., "code": ...}`.

`detail` is a human-readable message (or, for request validation, the list of problems
per field); `code` a stable word a program can branch on.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as RequestInvalid

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}
CODES |= {409: "conflict", 422: "invalid", 429: "throttled"}


class ApiConflict(HttpError):
    """The object changed or is in a state that does not allow the action (409)."""

    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(409, message)
        self.code = code


def _messages(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the same shape."""

    def answer(request: HttpRequest, status: int, detail, code: str | None = None):
        return api.create_response(
            request, {"detail": detail, "code": code or CODES.get(status, "error")}, status=status
        )

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return answer(request, 401, "Send a valid API key: Authorization: Bearer <key>.")

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return answer(request, 429, "Too many requests: wait for Retry-After seconds.")

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return answer(request, exc.status_code, str(exc), getattr(exc, "code", None))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return answer(request, 404, "Not found.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return answer(request, 403, "Your role may not do this.")

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return answer(request, 400, _messages(exc), getattr(exc, "code", None) or "invalid")

    @api.exception_handler(RequestInvalid)
    def request_invalid(request, exc):
        return answer(request, 422, exc.errors, "invalid")

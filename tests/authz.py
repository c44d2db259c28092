"""The expected answer of every URL pattern for every role (used by test_authorization).

Each app keeps its expectations next to its tests in `tests/<app>/authz.py` as
`EXPECTATIONS = {"namespace:name": Expect(...)}`; this module holds the shared vocabulary.
A URL pattern with no entry fails the suite, so a new page cannot ship without someone
deciding who may open it.

Roles (all requests go to acme.localhost unless the pattern is public):
anonymous, vendor_admin, cm_a (manages partner A), cm_b (manages partner B),
partner_a_admin, rep_a1, partner_b_admin, rep_b, and globex_admin: a logged-in user of
the other tenant whose cookie is replayed on acme's host.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.cast import Cast

TENANT_ROLES = (
    "anonymous",
    "vendor_admin",
    "cm_a",
    "cm_b",
    "partner_a_admin",
    "rep_a1",
    "partner_b_admin",
    "rep_b",
    "globex_admin",
)
PUBLIC_ROLES = ("anonymous", "operator", "acme_vendor_admin")

LOGIN = 302  # anonymous users are sent to the login page
UNAUTHORIZED = 401  # the REST API: no key, or a key this host does not know
OK = 200
FORBIDDEN = 403
NOT_FOUND = 404


@dataclass
class Expect:
    """What each role gets from one URL pattern.

    `kwargs(cast)` fills the pattern's arguments (objects that belong to partner A, say);
    `answers` maps role -> HTTP status; `method` is the HTTP method tried; `data` is the
    body for POSTs (forged or empty: the point is who gets through, not the effect).

    A URL pattern serving several methods (the REST API) maps to a tuple of `Expect`s,
    one per method. API URLs (namespace `api`) are requested with each role's API key
    instead of a session; globex_admin sends a globex key to acme's host.
    """

    answers: dict[str, int]
    kwargs: Callable[[Cast], dict] = field(default=lambda cast: {})
    method: str = "get"
    data: Callable[[Cast], dict] = field(default=lambda cast: {})
    #: e.g. "application/json" for API bodies; None sends the client's default (a form).
    content_type: str | None = None


def answers(default: int, **overrides: int) -> dict[str, int]:
    """Every tenant role gets `default` unless overridden; anonymous and the other
    tenant's user are sent to login unless overridden."""
    result = {role: default for role in TENANT_ROLES}
    result["anonymous"] = LOGIN
    result["globex_admin"] = LOGIN
    result.update(overrides)
    return result


def vendor_staff_only(ok: int = OK, **overrides: int) -> dict[str, int]:
    """Vendor admins and every CM get `ok`; partner users 403."""
    return answers(FORBIDDEN, **{"vendor_admin": ok, "cm_a": ok, "cm_b": ok, **overrides})


def vendor_admin_only(ok: int = OK, **overrides: int) -> dict[str, int]:
    return answers(FORBIDDEN, **{"vendor_admin": ok, **overrides})


def partner_a_object_for_staff(ok: int = OK) -> dict[str, int]:
    """A vendor-side page about something of partner A: cm_b is an outsider (404)."""
    return vendor_staff_only(ok, cm_b=NOT_FOUND)


def partner_users_only(ok: int = OK, **overrides: int) -> dict[str, int]:
    roles = {"partner_a_admin": ok, "rep_a1": ok, "partner_b_admin": ok, "rep_b": ok}
    return answers(FORBIDDEN, **{**roles, **overrides})


def partner_admins_only(ok: int = OK, **overrides: int) -> dict[str, int]:
    return answers(FORBIDDEN, **{"partner_a_admin": ok, "partner_b_admin": ok, **overrides})


def everyone(ok: int = OK) -> dict[str, int]:
    """Pages anyone may open, logged in or not (login page, public application...)."""
    return {role: ok for role in TENANT_ROLES}


def logged_in(ok: int = OK) -> dict[str, int]:
    return answers(ok)


def api_answers(default: int, **overrides: int) -> dict[str, int]:
    """Like `answers`, for the REST API: no key and the other tenant's key get 401."""
    return answers(default, anonymous=UNAUTHORIZED, globex_admin=UNAUTHORIZED, **overrides)

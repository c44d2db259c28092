"""Role checks for views and services: the first half of the access-control core.

Who may *call* a view is decided here (wrong role: 403, anonymous: login redirect), and
so is the role a service requires of its acting user (`require_vendor_admin`).
Which *rows* a user may see is decided by each app's selectors, all built on
`partners.selectors.restrict_to_partners`, so a view never filters by hand and a foreign
id answers 404.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from prm.accounts.models import Role

View = Callable[..., HttpResponse]


def _role_required(
    check: Callable[[object], bool], *, post: Callable[[object], bool] | None = None
) -> Callable[[View], View]:
    """A decorator letting in users for whom `check` holds; with `post`, a POST also needs
    `post` (a page everyone in the group reads, but only some may change)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(user):
                raise PermissionDenied
            if post is not None and request.method == "POST" and not post(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def can_use_vendor_site(user) -> bool:
    return user.is_vendor_staff


def can_use_partner_portal(user) -> bool:
    return user.is_partner_user


def can_see_reports(user) -> bool:
    """Sales reports (uploads, mapping, data quality): vendor staff, and partner admins for
    their own partner; reps sell but do not report."""
    return user.is_authenticated and (user.is_vendor_staff or user.is_partner_admin)


#: Any logged-in user of this vendor (operator accounts never exist in vendor schemas).
any_user_required = _role_required(lambda user: user.is_active)
#: Vendor admins and channel managers.
vendor_staff_required = _role_required(can_use_vendor_site)
#: Vendor admins only: programme configuration.
vendor_admin_required = _role_required(lambda user: user.is_vendor_admin)
#: Partner admins and reps of an existing partner.
partner_user_required = _role_required(can_use_partner_portal)
#: Partner admins only: the partner's own users, agreements.
partner_admin_required = _role_required(lambda user: user.is_partner_admin)
#: Vendor staff and partner admins: sales reports (`can_see_reports`).
report_user_required = _role_required(can_see_reports)
#: Vendor staff read the page; only vendor admins may POST (publish the agreement).
vendor_staff_read_admin_write = _role_required(
    can_use_vendor_site, post=lambda user: user.is_vendor_admin
)
#: Partner users read the page; only partner admins may POST (accept the agreement).
partner_user_read_admin_write = _role_required(
    can_use_partner_portal, post=lambda user: user.is_partner_admin
)


def require_vendor_admin(user) -> None:
    """For services that configure the programme: anyone but a vendor admin is refused.

    Services check this themselves (not only their views' decorators) so an API call or a
    forged request changes nothing either.
    """
    if not (user.is_authenticated and user.is_vendor_admin):
        raise PermissionDenied


def home_url_name(user) -> str:
    """The page a user lands on after login."""
    if user.role in (Role.PARTNER_ADMIN, Role.PARTNER_REP):
        return "portal:home"
    if user.role in (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
        return "channels:workspace"
    return "admin:index"

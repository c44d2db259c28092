"""Expected answers for the foundation's URLs (accounts, core, partners skeleton)."""

from tests.authz import (
    LOGIN,
    OK,
    Expect,
    answers,
    everyone,
    logged_in,
)

# Logged-in users are redirected to their home page (302) from pages for visitors.
REDIRECT = 302

EXPECTATIONS = {
    "home": Expect(logged_in(REDIRECT)),
    "login": Expect(
        {
            **everyone(OK),
            **{
                r: REDIRECT
                for r in (
                    "vendor_admin",
                    "cm_a",
                    "cm_b",
                    "partner_a_admin",
                    "rep_a1",
                    "partner_b_admin",
                    "rep_b",
                )
            },
        }
    ),
    "logout": Expect(everyone(REDIRECT), method="post"),
    "password_reset": Expect(everyone(OK)),
    "password_reset_done": Expect(everyone(OK)),
    "password_reset_confirm": Expect(
        everyone(OK), kwargs=lambda cast: {"uidb64": "MQ", "token": "invalid-token"}
    ),
    "password_reset_complete": Expect(everyone(OK)),
    "password_change": Expect(logged_in(OK)),
    "password_change_done": Expect(logged_in(OK)),
    "set_language": Expect(
        everyone(REDIRECT), method="post", data=lambda cast: {"language": "vi", "next": "/"}
    ),
    "health": Expect(everyone(OK)),
}

# The tenant admin site: vendor admins (staff in their own schema) get in; everyone
# else is sent to the admin login page, including the other tenant's admin.
ADMIN_CHANGELIST = answers(LOGIN, vendor_admin=OK)

PUBLIC_EXPECTATIONS = {
    "landing": Expect({"anonymous": OK, "operator": OK, "acme_vendor_admin": OK}),
    "set_language": Expect(
        {"anonymous": REDIRECT, "operator": REDIRECT, "acme_vendor_admin": REDIRECT},
        method="post",
        data=lambda cast: {"language": "vi", "next": "/"},
    ),
    "health": Expect({"anonymous": OK, "operator": OK, "acme_vendor_admin": OK}),
}

EXPECTATIONS["profile"] = Expect(logged_in(OK))

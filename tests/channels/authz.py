"""Expected answers for the channel manager's workspace pages."""

from tests.authz import Expect, vendor_admin_only, vendor_staff_only

EXPECTATIONS = {
    "channels:workspace": Expect(vendor_staff_only()),
    "channels:territories": Expect(vendor_staff_only()),
    # An empty form: the admin gets the page back with its errors, everyone else is refused.
    "channels:territory_create": Expect(vendor_admin_only(), method="post"),
    "channels:reassign": Expect(vendor_admin_only()),
    "channels:announcements": Expect(vendor_staff_only()),
}

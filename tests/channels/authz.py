"""Expected answers for the channel manager's workspace pages."""

from tests.authz import Expect, vendor_admin_only, vendor_staff_only

EXPECTATIONS = {
    "channels:workspace": Expect(vendor_staff_only()),
    "channels:territories": Expect(vendor_staff_only()),
    "channels:reassign": Expect(vendor_admin_only()),
    "channels:announcements": Expect(vendor_staff_only()),
}

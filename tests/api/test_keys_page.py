"""The API keys page: a key is shown once, listed by prefix, and can be revoked."""

from prm.accounts.models import ApiKey
from prm.accounts.services import api_key_create, api_key_digest


def test_it_shows_a_new_key_once_and_it_works(cast, acme, client_for):
    page = client_for(cast.rep_a1)
    response = page.post("/settings/api-keys/", {"name": "My CRM"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key in response.content.decode()
    row = ApiKey.objects.get(user=cast.rep_a1, name="My CRM")
    assert row.digest == api_key_digest(key)
    listing = page.get("/settings/api-keys/").content.decode()
    assert key not in listing and row.prefix in listing
    api = client_for(None)
    assert api.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200

    page.post(f"/settings/api-keys/{row.pk}/revoke/")
    assert api.get("/api/v1/deals/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_it_lists_other_users_keys_only_for_the_vendor_admin(cast, acme, client_for):
    api_key_create(user=cast.rep_b, name="Bergmann ERP")
    assert "Bergmann ERP" not in client_for(cast.rep_a1).get("/settings/api-keys/").content.decode()
    assert "Bergmann ERP" not in client_for(cast.cm_b).get("/settings/api-keys/").content.decode()
    admin_page = client_for(cast.vendor_admin).get("/settings/api-keys/").content.decode()
    assert "Bergmann ERP" in admin_page and cast.rep_b.email in admin_page

"""API keys: stored hashed, shown once, revocable; a key acts only while its user is active."""

import io

import pytest
from django.core.management import CommandError, call_command

from prm.accounts.models import ApiKey
from prm.accounts.services import api_key_create, api_key_revoke
from tests.api.support import with_key


def test_it_prints_only_the_key_and_stores_only_its_digest(cast, acme):
    out = io.StringIO()
    call_command(
        "create_api_key", "--schema", "acme", "--email", "CARL@acme.example", "--name", "CRM",
        stdout=out,
    )  # fmt: skip
    key = out.getvalue().strip()
    assert out.getvalue() == key + "\n"
    row = ApiKey.objects.get(user=cast.cm_a, name="CRM")
    assert key.startswith(row.prefix)
    assert not ApiKey.objects.filter(digest__contains=key[4:]).exists()
    assert key not in str(list(ApiKey.objects.values()))


def test_it_refuses_unknown_users_and_vendors(cast, acme):
    with pytest.raises(CommandError):
        call_command("create_api_key", "--schema", "acme", "--email", "nobody@acme.example")
    with pytest.raises(CommandError):
        call_command("create_api_key", "--schema", "nowhere", "--email", "x@acme.example")


def test_it_accepts_a_live_key_and_notes_its_last_use(cast, acme, client_for):
    row, key = api_key_create(user=cast.cm_a, name="t")
    assert row.last_used_at is None
    response = with_key(client_for(None), key).get("/api/v1/partners/")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_it_answers_401_to_revoked_keys_and_to_deactivated_users(cast, acme, client_for):
    row, key = api_key_create(user=cast.rep_a1, name="t")
    _other, key2 = api_key_create(user=cast.rep_a2, name="t")
    client = with_key(client_for(None), key)
    assert client.get("/api/v1/deals/").status_code == 200
    api_key_revoke(user=cast.rep_a1, key_id=row.pk)
    assert client.get("/api/v1/deals/").status_code == 401

    client2 = with_key(client_for(None), key2)
    assert client2.get("/api/v1/deals/").status_code == 200
    cast.rep_a2.is_active = False
    cast.rep_a2.save(update_fields=["is_active"])
    assert client2.get("/api/v1/deals/").status_code == 401


def test_it_answers_401_without_a_key_or_with_a_made_up_one(cast, acme, client_for):
    assert client_for(None).get("/api/v1/deals/").status_code == 401
    made_up = with_key(client_for(None), "prm_" + "x" * 43)
    assert made_up.get("/api/v1/deals/").status_code == 401
    # A logged-in browser session is not an API credential.
    assert client_for(cast.vendor_admin).get("/api/v1/deals/").status_code == 401


def test_it_lets_users_revoke_only_their_own_keys_and_admins_any(cast, acme):
    row, _key = api_key_create(user=cast.rep_a1, name="t")
    with pytest.raises(ApiKey.DoesNotExist):
        api_key_revoke(user=cast.rep_a2, key_id=row.pk)
    with pytest.raises(ApiKey.DoesNotExist):
        api_key_revoke(user=cast.cm_a, key_id=row.pk)
    assert api_key_revoke(user=cast.vendor_admin, key_id=row.pk).revoked_by == cast.vendor_admin

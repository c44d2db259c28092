"""Brute force: after the configured failures the account+address pair is locked, in
that vendor only."""

import pytest

from tests.cast import PASSWORD
from tests.conftest import TenantClient


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings.AXES_FAILURE_LIMIT


def attempt(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


def test_it_locks_after_the_configured_number_of_failures(cast, acme, axes_on):
    client = TenantClient("acme.localhost")
    for _ in range(axes_on - 1):
        assert attempt(client, cast.rep_b.email, "guess").status_code == 200
    # One failure short of the limit, the right password still works...
    assert attempt(client, cast.rep_b.email, PASSWORD).status_code == 302
    # ...and resets the count (AXES_RESET_ON_SUCCESS); the full limit locks.
    client = TenantClient("acme.localhost")
    for _ in range(axes_on):
        attempt(client, cast.rep_b.email, "guess")
    locked = attempt(client, cast.rep_b.email, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_locks_one_account_not_everyone_behind_the_address(cast, acme, axes_on):
    client = TenantClient("acme.localhost")
    for _ in range(axes_on):
        attempt(client, cast.rep_b.email, "guess")
    assert attempt(client, cast.rep_b.email, PASSWORD).status_code == 429
    assert attempt(TenantClient("acme.localhost"), cast.rep_a1.email, PASSWORD).status_code == 302


def test_it_keeps_lockouts_inside_one_vendor(cast, acme, axes_on):
    attacker = TenantClient("acme.localhost")
    for _ in range(axes_on):
        attempt(attacker, cast.globex_admin.email, "guess")  # no such user on acme
    # The same e-mail and address on globex, where the account lives, is not locked.
    response = attempt(TenantClient("globex.localhost"), cast.globex_admin.email, PASSWORD)
    assert response.status_code == 302


def test_it_counts_every_letter_case_of_an_address_as_one_account(cast, acme, axes_on):
    client = TenantClient("acme.localhost")
    for _ in range(axes_on):
        attempt(client, cast.rep_b.email, "guess")
    # Login matches the address in any case; the lockout must too.
    shouted = cast.rep_b.email.upper()
    mixed = cast.rep_b.email.capitalize()
    assert attempt(client, shouted, PASSWORD).status_code == 429
    assert attempt(client, mixed, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_counts_failures_across_letter_cases(cast, acme, axes_on):
    client = TenantClient("acme.localhost")
    spellings = [cast.rep_b.email, cast.rep_b.email.upper(), cast.rep_b.email.title()]
    for n in range(axes_on):
        attempt(client, spellings[n % len(spellings)], "guess")
    assert attempt(client, cast.rep_b.email, PASSWORD).status_code == 429

"""Helpers of the API tests: a client that sends a user's API key."""

from django_tenants.utils import schema_context

from prm.accounts.services import api_key_create


def key_for(user, schema: str = "acme", name: str = "test") -> str:
    with schema_context(schema):
        return api_key_create(user=user, name=name)[1]


def with_key(client, key: str):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client

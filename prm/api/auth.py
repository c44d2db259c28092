"""Bearer-key authentication: a key acts as its user, in the vendor whose host was called."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from prm.accounts.services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`; unknown, revoked or deactivated-user keys get 401.

    Keys are looked up in the schema the tenant middleware chose from the host, so a key
    of another vendor is simply not found there.
    """

    def authenticate(self, request: HttpRequest, token: str):
        row = api_key_authenticate(token)
        if row is None:
            return None
        # The services and selectors read `user`; the page views read `request.user`.
        request.user = row.user
        request.api_key = row
        return row


api_key_auth = ApiKeyAuth()

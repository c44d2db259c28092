"""What django-axes counts failed logins against.

Login matches e-mail addresses case-insensitively (`UserManager.get_by_natural_key`), so
axes must count `Rep@Example.com` and `rep@example.com` as one username; otherwise every
spelling would get its own allowance of guesses.
"""

from __future__ import annotations

from django.conf import settings


def normalise_username(value) -> str:
    return str(value or "").strip().lower()


def axes_username(request, credentials: dict | None = None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_username(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_username(data.get(field))

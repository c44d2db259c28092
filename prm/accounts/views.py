"""Login, logout, password reset, the role-based landing page and the API keys page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from prm.accounts import services
from prm.accounts.access import any_user_required, home_url_name
from prm.accounts.forms import ApiKeyForm, EmailLoginForm, ProfileForm, QueuedPasswordResetForm
from prm.accounts.models import ApiKey
from prm.accounts.network import client_ip
from prm.accounts.selectors import api_keys_visible_to
from prm.accounts.services import api_key_create, api_key_revoke
from prm.accounts.throttle import Throttle, hit_all


def reset_throttles() -> tuple[Throttle, Throttle]:
    """Reset e-mails per address (a mailbox is not flooded) and per client (nobody sends
    them in bulk)."""
    return (
        Throttle("password-reset:address", *settings.PASSWORD_RESET_PER_ADDRESS),
        Throttle("password-reset:client", *settings.PASSWORD_RESET_PER_CLIENT),
    )


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # A user's saved language wins over whatever the login page was shown in.
        language = form.get_user().language
        if language:
            translation.activate(language)
            response.set_cookie(
                "prm_language", language, samesite="Lax", secure=self.request.is_secure()
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # Counted whether or not the address has an account: the answer must not tell.
        per_address, per_client = reset_throttles()
        if not hit_all(
            (per_address, form.cleaned_data["email"]), (per_client, client_ip(self.request) or "")
        ):
            form.add_error(
                None,
                _(
                    "Too many password reset e-mails were asked for this address or from "
                    "your network. Wait an hour, then try again."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url_name(request.user))


@any_user_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """The user's API keys: make one (shown once, on this answer only) or revoke one."""
    new_key = None
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _row, new_key = api_key_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiKeyForm()
    keys = api_keys_visible_to(request.user)
    return render(
        request,
        "accounts/api_keys.html",
        {
            "form": form,
            "new_key": new_key,
            "own_keys": [key for key in keys if key.user_id == request.user.pk],
            "other_keys": [key for key in keys if key.user_id != request.user.pk],
            "docs_url": "/api/v1/docs/",
        },
    )


@any_user_required
@require_POST
def api_key_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        api_key_revoke(user=request.user, key_id=pk)
    except ApiKey.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The key is revoked: programs using it now get 401."))
    return redirect("api_keys")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a logged-in user the choice is saved on the account
    so it survives logging out and in, and e-mails follow it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language and check_for_language(language):
        services.user_set_language(user=request.user, language=language)
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"full_name": user.full_name, "language": user.language, "time_zone": user.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, **form.cleaned_data)
        if user.language:
            translation.activate(user.language)
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        if user.language:
            response.set_cookie(
                "prm_language", user.language, samesite="Lax", secure=request.is_secure()
            )
        return response
    return render(request, "registration/profile.html", {"form": form})

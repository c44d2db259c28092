"""Login, logout, password reset and the role-based landing page."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils import translation

from prm.accounts.access import home_url_name
from prm.accounts.forms import EmailLoginForm


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
    success_url = reverse_lazy("password_reset_done")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url_name(request.user))

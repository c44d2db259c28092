"""Partner portal pages. Every read goes through a selector scoped to request.user."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.selectors import get_partner_for
from prm.accounts.access import partner_user_required


@partner_user_required
def home(request: HttpRequest) -> HttpResponse:
    partner = get_partner_for(request.user, request.user.partner.pk)
    return render(request, "partners/portal_home.html", {"partner": partner})

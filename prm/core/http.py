"""Shapes every app's views repeat: a POST-only action, page links that keep the filters,
and the htmx partial of a list page.

A POST action (docs/architecture.md, "HTTP shapes"):

    def act(data) -> str:
        services.deal_submit(user=request.user, deal_id=deal.pk, expected_version=data["version"])
        return _("Registration submitted.")

    return post_action(
        request,
        form=VersionForm(request.POST),
        act=act,
        then=redirect("deals:detail", pk=deal.pk),
        stale=(services.DealChanged, _("Someone changed this registration ...")),
    )
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


def post_action(
    request: HttpRequest,
    *,
    form,
    act: Callable[[dict], str],
    then: HttpResponse,
    stale: tuple[type[Exception], str] | None = None,
) -> HttpResponse:
    """Validate `form`, run `act(cleaned_data)` (a service call returning the success
    message), show what happened as a message and answer with `then` (a redirect).

    An invalid form or a service's ValidationError shows its messages; `stale` names the
    exception a service raises when the row changed under the user, and what to say then.
    """
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return then
    try:
        messages.success(request, act(form.cleaned_data))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except Exception as error:
        if stale is None or not isinstance(error, stale[0]):
            raise
        messages.error(request, stale[1])
    return then


def query_without_page(request: HttpRequest) -> str:
    """The request's filters as a query string, for page links to keep (without `page`)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment of the page (a boosted link wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted

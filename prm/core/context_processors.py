from django.urls import reverse

from prm.core.navigation import NAV_ITEMS


def navigation(request):
    """Menu entries for the logged-in user's role, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in NAV_ITEMS:
        if user.role in item.roles:
            url = reverse(item.url_name)
            current = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"url": url, "label": item.label, "current": current})
    return {"nav_items": items}

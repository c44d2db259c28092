from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prm.core.extensions import registry

# Menu groups by URL namespace: a handful of short top-level entries keeps the bar on one
# line at desktop widths; pages of a namespace not listed here stand alone.
NAV_GROUPS = {
    "partners": _("Partners"),
    "portal": _("Partners"),
    "channels": _("Partners"),
    "deals": _("Deals"),
    "reporting": _("Reports"),
    "analytics": _("Reports"),
}
STANDALONE = {"channels:workspace", "portal:home"}


def navigation(request):
    """Menu entries for the logged-in user's role, with the current one marked, and the
    same entries grouped for the collapsible menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_groups": []}
    items = []
    groups: list[dict] = []
    by_label: dict[str, dict] = {}
    for item in registry.nav_items():
        if user.role not in item.roles:
            continue
        url = reverse(item.url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        entry = {"url": url, "label": item.label, "current": current}
        items.append(entry)
        label = None if item.url_name in STANDALONE else NAV_GROUPS.get(item.url_name.split(":")[0])
        if label is None:
            groups.append({"label": None, "items": [entry], "current": current})
            continue
        group = by_label.get(str(label))
        if group is None:
            group = by_label[str(label)] = {"label": label, "items": [], "current": False}
            groups.append(group)
        group["items"].append(entry)
        group["current"] = group["current"] or current
    # A group of one is just a link.
    for group in groups:
        if group["label"] is not None and len(group["items"]) == 1:
            group["label"] = None
    return {"nav_items": items, "nav_groups": groups}

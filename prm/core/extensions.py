"""The one registry through which an app offers something to pages owned by other apps.

Lower layers (prm.core, partners) own pages that show things from higher layers (the
menu, the partner page, the work queue, tier progress, the demo data). They must not
import those apps, so each app adds its own entries here in its `AppConfig.ready()`:

    from prm.core.extensions import NavItem, registry
    registry.add_nav_item(NavItem("deals:list", _("Deals"), VENDOR + PARTNER, order=80))
    registry.add_queue_source("deals", deals_waiting_on)
    registry.add_partner_section("uploads", partner_section, order=10)

Every entry has a key; adding the same key again replaces it (ready() may run twice).
Entries are read in `order` (then key), so the menu does not depend on INSTALLED_APPS.
What a callable must honour (scope by the user, a fixed number of queries) is written on
each kind below. docs/architecture.md describes the layers this registry serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    """A menu entry, shown to users whose role (an `accounts.Role` value) is listed."""

    url_name: str
    label: str
    roles: tuple[str, ...]
    order: int = 100


@dataclass(frozen=True)
class QueueItem:
    """Something waiting on a user, shown in the channel manager's work queue."""

    kind: str  # short label shown as a badge, e.g. "Application"
    title: str
    url: str
    waiting_since: datetime
    detail: str = ""


#: `source(user, *, limit) -> (items, total)`: at most `limit` items waiting on `user`,
#: already scoped by the app's selectors, plus how many there are in all. It must run a
#: fixed number of queries (the workspace has a query budget).
QueueSource = Callable[..., tuple[list[QueueItem], int]]

#: `section(request, obj) -> (title, template, context) | None`: a block on another app's
#: page; the template is included with the context as `section`. It scopes its own reads
#: by `request.user` and runs a fixed number of queries; None shows nothing.
PageSection = Callable[["HttpRequest", Any], tuple[str, str, dict] | None]

#: `source(partner_ids, since) -> {partner_id: Decimal}`: sales since `since` in the
#: vendor's reporting currency, one query for many partners. Results are added up.
SalesSource = Callable[[list[int], date], dict[int, Decimal]]

#: `hook(partner_ids, added_months)`: the sales lines of these partners changed (an
#: import, held repeats counted again); called inside the transaction that changed them,
#: so it queues its work with `delay_on_commit`. `added_months` are the first days of the
#: months of the lines this transaction added (the writer knows them for free; lines
#: removed or updated are noted by the database itself).
SalesChangedHook = Callable[[list[int], list[date]], None]

#: `hook(event)`: a change of a deal registration was recorded (a `deals.DealEvent`, with
#: its deal loaded); called inside the transaction, so it queues its work with
#: `delay_on_commit`.
DealRecordedHook = Callable[[Any], None]

#: `source(partner_ids, month) -> {partner_id: datetime}`: when each partner's first
#: report with a sale dated in `month` (its first day) arrived, one query; partners with
#: none are left out. Reporting timeliness reads it instead of scanning every sales line.
MonthReportedSource = Callable[[list[int], date], dict[int, datetime]]

#: `load() -> RateLookup` (prm.core.money): the tenant's exchange rates, one query.
RateLoader = Callable[[], Any]

#: `check(user) -> code | None`: a reason (an error code of the login form) why this user
#: may not log in now, e.g. their partner's status; None lets them in.
LoginCheck = Callable[[Any], str | None]

#: `seed(vendor)`: idempotent demo data, called inside the vendor's schema after the
#: demo cast (staff, partners, partner users) exists.
DemoSeeder = Callable[[Any], None]


@dataclass(frozen=True)
class _Entry:
    key: str
    value: Any
    order: int


class Registry:
    """Extension points, filled at start-up. Reads return entries in order."""

    def __init__(self) -> None:
        self._nav_items: dict[str, _Entry] = {}
        self._queue_sources: dict[str, _Entry] = {}
        self._partner_sections: dict[str, _Entry] = {}
        self._portal_sections: dict[str, _Entry] = {}
        self._sales_sources: dict[str, _Entry] = {}
        self._sales_changed_hooks: dict[str, _Entry] = {}
        self._deal_recorded_hooks: dict[str, _Entry] = {}
        self._month_reported_sources: dict[str, _Entry] = {}
        self._rate_loaders: dict[str, _Entry] = {}
        self._login_checks: dict[str, _Entry] = {}
        self._demo_seeders: dict[str, _Entry] = {}

    @staticmethod
    def _sorted(entries: dict[str, _Entry]) -> list:
        return [e.value for e in sorted(entries.values(), key=lambda e: (e.order, e.key))]

    # --- menu
    def add_nav_item(self, item: NavItem) -> None:
        self._nav_items[item.url_name] = _Entry(item.url_name, item, item.order)

    def nav_items(self) -> list[NavItem]:
        return self._sorted(self._nav_items)

    # --- the channel manager's work queue
    def add_queue_source(self, key: str, source: QueueSource, *, order: int = 100) -> None:
        self._queue_sources[key] = _Entry(key, source, order)

    def queue_sources(self) -> list[QueueSource]:
        return self._sorted(self._queue_sources)

    # --- sections of the vendor's partner page and of the partner portal's home
    def add_partner_section(self, key: str, section: PageSection, *, order: int = 100) -> None:
        self._partner_sections[key] = _Entry(key, section, order)

    def partner_sections(self) -> list[PageSection]:
        return self._sorted(self._partner_sections)

    def add_portal_section(self, key: str, section: PageSection, *, order: int = 100) -> None:
        self._portal_sections[key] = _Entry(key, section, order)

    def portal_sections(self) -> list[PageSection]:
        return self._sorted(self._portal_sections)

    # --- sales: yearly figures for tier progress; who to tell when lines change
    def add_sales_source(self, key: str, source: SalesSource) -> None:
        self._sales_sources[key] = _Entry(key, source, 100)

    def sales_sources(self) -> list[SalesSource]:
        return self._sorted(self._sales_sources)

    def add_sales_changed_hook(self, key: str, hook: SalesChangedHook) -> None:
        self._sales_changed_hooks[key] = _Entry(key, hook, 100)

    def sales_changed_hooks(self) -> list[SalesChangedHook]:
        return self._sorted(self._sales_changed_hooks)

    # --- deals: who to tell when a registration's change is recorded
    def add_deal_recorded_hook(self, key: str, hook: DealRecordedHook) -> None:
        self._deal_recorded_hooks[key] = _Entry(key, hook, 100)

    def deal_recorded_hooks(self) -> list[DealRecordedHook]:
        return self._sorted(self._deal_recorded_hooks)

    # --- reporting timeliness: when a month's first report arrived (kept by analytics)
    def add_month_reported_source(self, key: str, source: MonthReportedSource) -> None:
        self._month_reported_sources[key] = _Entry(key, source, 100)

    def month_reported_sources(self) -> list[MonthReportedSource]:
        return self._sorted(self._month_reported_sources)

    # --- exchange rates for prm.core.money (kept by an app above the base)
    def add_rate_loader(self, key: str, loader: RateLoader) -> None:
        self._rate_loaders[key] = _Entry(key, loader, 100)

    def rate_loaders(self) -> list[RateLoader]:
        return self._sorted(self._rate_loaders)

    # --- login: checks of apps above accounts (a partner's status)
    def add_login_check(self, key: str, check: LoginCheck) -> None:
        self._login_checks[key] = _Entry(key, check, 100)

    def login_checks(self) -> list[LoginCheck]:
        return self._sorted(self._login_checks)

    # --- demo data
    def add_demo_seeder(self, key: str, seed: DemoSeeder, *, order: int = 100) -> None:
        self._demo_seeders[key] = _Entry(key, seed, order)

    def demo_seeders(self) -> list[DemoSeeder]:
        return self._sorted(self._demo_seeders)


registry = Registry()


def page_sections(
    sections: Iterable[PageSection], request: HttpRequest, obj
) -> list[tuple[str, str, dict]]:
    """Render-ready sections: the ones that have something to show for this user."""
    found = []
    for section in sections:
        result = section(request, obj)
        if result:
            found.append(result)
    return found

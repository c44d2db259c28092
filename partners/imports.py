"""Bulk import of partners from CSV (`import_partners`).

Columns (docs/product-rules.md): slug,name,country,type,tier,channel_manager_email,currency.
Every row is checked first and every problem reported with its line number; the file is
imported only when it has no errors (all or nothing), so fixing the file and running the
command again is always safe. Existing slugs are updated (empty cells keep the current
value, so a file never unassigns a channel manager by omission); new ones are created as
active.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus, PartnerStatusChange, PartnerType, Tier
from prm.accounts.models import Role, User

COLUMNS = ("slug", "name", "country", "type", "tier", "channel_manager_email", "currency")
_SLUG = re.compile(r"^[-a-z0-9_]{1,60}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Optional columns and the Partner field each one sets.
_OPTIONAL_COLUMNS = {
    "country": "country",
    "type": "partner_type",
    "tier": "tier",
    "channel_manager_email": "channel_manager",
    "currency": "currency",
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _types() -> dict[str, str]:
    names = {value: value for value in PartnerType.values}
    names.update({str(label).lower(): value for value, label in PartnerType.choices})
    return names


def partners_import(*, text: str, default_currency: str = "USD") -> ImportResult:
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("slug", "name") if c not in header]
    if missing:
        result.errors.append(
            (
                1,
                _("The header must name the columns %(columns)s; missing: %(missing)s.")
                % {"columns": ",".join(COLUMNS), "missing": ",".join(missing)},
            )
        )
        return result
    reader.fieldnames = header
    tiers = {t.name.lower(): t for t in Tier.objects.all()}
    managers = {
        u.email.lower(): u for u in User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True)
    }
    types = _types()
    rows, seen = [], set()
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        problems = []
        slug = row.get("slug", "").lower()
        if not _SLUG.match(slug):
            problems.append(_("slug must be lower-case letters, digits and dashes"))
        elif slug in seen:
            problems.append(_("slug %(slug)s appears twice in the file") % {"slug": slug})
        seen.add(slug)
        if not row.get("name"):
            problems.append(_("name is empty"))
        country = row.get("country", "").upper()
        if country and not _COUNTRY.match(country):
            problems.append(_("country must be a two-letter code such as US or DE"))
        kind = types.get(row.get("type", "").lower() or PartnerType.RESELLER)
        if kind is None:
            problems.append(
                _("type must be one of %(types)s") % {"types": ", ".join(PartnerType.values)}
            )
        tier = None
        if row.get("tier"):
            tier = tiers.get(row["tier"].lower())
            if tier is None:
                problems.append(
                    _("tier %(tier)s does not exist; create it first") % {"tier": row["tier"]}
                )
        manager = None
        if row.get("channel_manager_email"):
            manager = managers.get(row["channel_manager_email"].lower())
            if manager is None:
                problems.append(
                    _("%(email)s is not an active channel manager")
                    % {"email": row["channel_manager_email"]}
                )
        currency = (row.get("currency") or default_currency).upper()
        if not _CURRENCY.match(currency):
            problems.append(_("currency must be a three-letter code such as EUR"))
        if problems:
            result.errors.extend((line, problem) for problem in problems)
            continue
        values = dict(
            slug=slug,
            name=row["name"],
            country=country,
            partner_type=kind,
            tier=tier,
            channel_manager=manager,
            currency=currency,
        )
        # Columns left empty keep an existing partner's value (defaults for new ones).
        given = {"slug", "name"} | {
            field for column, field in _OPTIONAL_COLUMNS.items() if row.get(column)
        }
        rows.append({"values": values, "given": given})
    if result.errors:
        return result
    _save(rows, result)
    return result


@transaction.atomic
def _save(rows: list[dict], result: ImportResult) -> None:
    from partners.selectors import territory_for_country

    for row in rows:
        values = dict(row["values"])
        slug = values.pop("slug")
        partner = Partner.objects.filter(slug=slug).first()
        if partner is None:
            partner = Partner.objects.create(
                slug=slug,
                status=PartnerStatus.ACTIVE,
                territory=territory_for_country(values["country"]),
                **values,
            )
            PartnerStatusChange.objects.create(
                partner=partner,
                from_status="",
                to_status=PartnerStatus.ACTIVE,
                changed_by=None,
                reason=_("Imported"),
            )
            result.created += 1
        else:
            fields = [name for name in values if name in row["given"]]
            for name in fields:
                setattr(partner, name, values[name])
            partner.save(update_fields=fields)
            result.updated += 1

"""The programme's tiers (vendor admins) and the tier a partner is in (vendor staff)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.models import Partner, Tier
from partners.services._shared import locked_partner, require_in_scope
from prm.accounts.access import require_vendor_admin
from prm.accounts.models import User

#: The largest rank a PositiveSmallIntegerField holds.
MAX_TIER_RANK = 32767


def _tier_errors(
    *,
    tier: Tier | None,
    name: str,
    rank: int,
    min_yearly_sales: Decimal,
    min_certified_reps: int,
    discount_percent: Decimal,
) -> dict[str, str]:
    """Field -> what to fix, for a tier about to be saved (`tier`: the one being edited)."""
    others = Tier.objects.exclude(pk=tier.pk) if tier is not None else Tier.objects.all()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the tier a name.")
    elif others.filter(name__iexact=name).exists():
        errors["name"] = _("Another tier is already called %(name)s. Choose another name.") % {
            "name": name
        }
    if rank is None or not 0 <= rank <= MAX_TIER_RANK:
        errors["rank"] = _("Enter a rank from 0 to %(max)s.") % {"max": MAX_TIER_RANK}
    else:
        clash = others.filter(rank=rank).first()
        if clash is not None:
            errors["rank"] = _(
                "%(tier)s already has rank %(rank)s. Each tier needs its own rank."
            ) % {"tier": clash.name, "rank": rank}
    if min_yearly_sales is None or min_yearly_sales < 0:
        errors["min_yearly_sales"] = _("Enter zero or a positive amount.")
    if min_certified_reps is None or min_certified_reps < 0:
        errors["min_certified_reps"] = _("Enter zero or a positive number.")
    if discount_percent is None or not 0 <= discount_percent <= 100:
        errors["discount_percent"] = _("Enter a percentage from 0 to 100.")
    return errors


def _tier_save(*, tier: Tier, user: User, **fields) -> Tier:
    require_vendor_admin(user)
    unknown = set(fields) - set(TIER_FIELDS)
    if unknown:
        raise ValueError(f"Not tier fields: {sorted(unknown)}")
    for name in ("name", "benefits"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    check = {
        name: fields.get(name, getattr(tier, name)) for name in TIER_FIELDS if name != "benefits"
    }
    errors = _tier_errors(tier=tier if tier.pk else None, **check)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(tier, name, value)
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError:
        # Another admin saved the same name or rank between the check and the save:
        # the check now sees their tier and says which.
        errors = _tier_errors(tier=tier if tier.pk else None, **check)
        raise ValidationError(
            errors or _("Another tier was saved at the same time. Check the list and try again.")
        ) from None
    return tier


TIER_FIELDS = (
    "name",
    "rank",
    "min_yearly_sales",
    "min_certified_reps",
    "discount_percent",
    "benefits",
)


@transaction.atomic
def tier_create(*, user: User, **fields) -> Tier:
    """A vendor admin adds a tier to the programme; names and ranks are unique."""
    return _tier_save(tier=Tier(), user=user, **fields)


@transaction.atomic
def tier_update(*, tier: Tier, user: User, **fields) -> Tier:
    """A vendor admin changes a tier's name, rank, requirements or benefits."""
    require_vendor_admin(user)
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    return _tier_save(tier=tier, user=user, **fields)


@transaction.atomic
def tier_delete(*, tier: Tier, user: User) -> None:
    """A vendor admin removes a tier nobody is in (partners are never left tierless by
    accident: they must be moved first)."""
    require_vendor_admin(user)
    # The row lock makes a concurrent "set this partner's tier" wait for us (its foreign
    # key check needs a share lock on the tier), so no partner slips in after the count.
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    count = Partner.objects.filter(tier=tier).count()
    if count:
        raise ValidationError(
            ngettext(
                "%(count)d partner is in %(tier)s. Move it to another tier first.",
                "%(count)d partners are in %(tier)s. Move them to another tier first.",
                count,
            )
            % {"count": count, "tier": tier.name}
        )
    tier.delete()


@transaction.atomic
def partner_set_tier(*, partner: Partner, tier: Tier | None, user: User) -> Partner:
    if not user.is_vendor_staff:
        raise PermissionDenied
    require_in_scope(user, partner)
    partner = locked_partner(partner)
    partner.tier = tier
    partner.save(update_fields=["tier"])
    return partner

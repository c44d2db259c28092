"""Propose a canonical field for every column, with a confidence and a reason.

Evidence, combined per column and field:
- the header: exact (folded) synonym in any language, else fuzzy match (rapidfuzz), else
  a known name inside a longer header ("Invoice Date (dd.mm.yyyy)");
- the values: their kind must suit the field (a date column for the invoice date, whole
  numbers for the quantity); ISO currency codes name the currency column; values found in
  the catalogue or in the partner's SKU aliases decide vendor vs. partner SKU;
- the rows: when quantity, unit price and amount are all present, quantity x unit price
  must give the amount, which also tells a unit price from an extended price.

Fields are then assigned greedily, best evidence first, one column per field. The
proposal is `certain` only if every required field is found with high confidence, no
two columns compete closely for one field, and the day/month order is known.
"""

import hashlib
from decimal import Decimal

import polars as pl
from rapidfuzz import fuzz, process

from .expressions import parse_numbers
from .model import ColumnChoice, FileInfo, MappingProposal
from .text import fold, fold_compact, normalise_header_for_signature, split_header_currency
from .values import ColumnProfile
from .vocabulary import (
    CANONICAL_FIELDS,
    FALLBACK_SYNONYMS,
    FIELD_SYNONYMS,
    IGNORE,
    WEAK_SYNONYMS,
)

CERTAIN = 0.75
MINIMUM = 0.45
REQUIRED = ("invoice_number", "invoice_date", "quantity")
SKU_FIELDS = ("vendor_sku", "partner_sku")
PRICE_FIELDS = ("unit_price", "amount")
_WEAK = {fold(word) for word in WEAK_SYNONYMS}
_SYNONYMS: dict[str, str] = {}  # folded synonym -> field
for _field, _words in FIELD_SYNONYMS.items():
    for _word in _words:
        _SYNONYMS.setdefault(fold(_word), _field)
_COMPACT_SYNONYMS = {synonym.replace(" ", ""): f for synonym, f in _SYNONYMS.items()}
_FALLBACKS = {fold(word): f for f, words in FALLBACK_SYNONYMS.items() for word in words}
_FALLBACK_KINDS = {"invoice_number": ("text", "integer"), "invoice_date": ("date",)}
FALLBACK_SCORE = 0.62  # below CERTAIN: raised only when nothing else can be the field
FALLBACK_CERTAIN = 0.8

# How well a column of each value kind suits each field (1 = perfectly).
_KIND_FIT: dict[str, dict[str, float]] = {
    "invoice_number": {"text": 1.0, "integer": 0.95, "number": 0.3, "date": 0.1},
    "invoice_date": {"date": 1.0, "integer": 0.4, "text": 0.15, "number": 0.1},
    "reseller": {"text": 1.0, "country": 0.4},
    "end_customer": {"text": 1.0, "country": 0.4},
    "end_customer_country": {"country": 1.0, "text": 0.6, "currency": 0.3},
    "vendor_sku": {"text": 1.0, "integer": 0.85, "number": 0.3},
    "partner_sku": {"text": 1.0, "integer": 0.85, "number": 0.3},
    "quantity": {"integer": 1.0, "number": 0.6, "text": 0.1},
    "unit_price": {"number": 1.0, "integer": 0.9, "text": 0.1},
    "amount": {"number": 1.0, "integer": 0.9, "text": 0.1},
    "currency": {"currency": 1.0, "text": 0.3, "country": 0.2},
}


def header_signature(headers: list[str]) -> str:
    """Stable hash of a file's headers (order kept), to find a partner's saved mapping."""
    joined = "\x1f".join(normalise_header_for_signature(header) for header in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def header_scores(header: str) -> dict[str, tuple[float, str]]:
    """Field -> (score, reason) from the header text alone."""
    name = split_header_currency(header)[0]
    folded = fold(name)
    if not folded:
        return {}
    scores: dict[str, tuple[float, str]] = {}

    def offer(field: str, score: float, reason: str) -> None:
        if score > scores.get(field, (0.0, ""))[0]:
            scores[field] = (score, reason)

    exact = _SYNONYMS.get(folded) or _COMPACT_SYNONYMS.get(fold_compact(name))
    if exact:
        weak = folded in _WEAK
        offer(exact, 0.85 if weak else 1.0, f'"{header}" is a known name for {exact}')
    for synonym, score, _ in process.extract(
        folded, list(_SYNONYMS), scorer=fuzz.ratio, score_cutoff=82, limit=5
    ):
        field = _SYNONYMS[synonym]
        weight = 0.75 if synonym in _WEAK else 0.92
        offer(field, weight * score / 100, f'"{header}" resembles "{synonym}"')
    words = f" {folded} "
    for synonym, field in _SYNONYMS.items():
        if len(synonym) >= 4 and f" {synonym} " in words and synonym != folded:
            weight = 0.6 if synonym in _WEAK else 0.85
            offer(field, weight, f'"{header}" contains "{synonym}"')
    return scores


def fallback_field(header: str) -> str | None:
    """The field a header names as another document's number or date ("Ship Date")."""
    folded = fold(split_header_currency(header)[0])
    if not folded:
        return None
    if folded in _FALLBACKS:
        return _FALLBACKS[folded]
    compact = folded.replace(" ", "")
    for synonym, field in _FALLBACKS.items():
        if synonym.replace(" ", "") == compact or (
            len(synonym) >= 6 and f" {synonym} " in f" {folded} "
        ):
            return field
    return None


def _apply_fallbacks(info: FileInfo, all_scores: list[dict[str, tuple[float, str]]]) -> None:
    """Use a ship/order date (number) as the invoice date (number) when it is the only
    column that could be one: no column is named so, and no other column of that kind
    bears a name of another document's date (number)."""
    for field, kinds in _FALLBACK_KINDS.items():
        if any(scores.get(field, (0.0, ""))[0] >= CERTAIN for scores in all_scores):
            continue
        candidates = [
            profile.index
            for profile in info.columns
            if fallback_field(profile.header) == field and profile.kind in kinds
        ]
        if field == "invoice_date":
            dates = [profile.index for profile in info.columns if profile.kind == "date"]
            if len(dates) != 1:
                continue  # two dates (ordered, shipped): a person could not tell either
            candidates = [index for index in candidates if index in dates]
        if len(candidates) != 1:
            continue
        index = candidates[0]
        header = info.columns[index].header
        what, noun = ("date", "date") if field == "invoice_date" else ("document number", "number")
        all_scores[index][field] = (
            FALLBACK_CERTAIN,
            f'"{header}" is the file\'s only {what}, so it is used as the invoice {noun}',
        )


def _share(values: list[str], known: set[str]) -> float:
    if not values or not known:
        return 0.0
    return sum(1 for value in values if value.strip().upper() in known) / len(values)


def _column_values(info: FileInfo, index: int) -> list[str]:
    return [row[index] for row in info.sample_rows if index < len(row) and row[index]]


def column_scores(
    info: FileInfo,
    profile: ColumnProfile,
    vendor_skus: set[str],
    partner_skus: set[str],
) -> dict[str, tuple[float, str]]:
    """Field -> (score, reason) for one column from its header and its values."""
    scores: dict[str, tuple[float, str]] = {}
    # Whole numbers that are all Excel date serials (46266 = 2026-09-01, as a text export
    # of a date cell reads) are dates to a header that names a date.
    serials = bool(profile.date) and set(profile.date.shapes) == {"serial"}
    for field, (score, reason) in header_scores(profile.header).items():
        fit = 0.9 if profile.kind == "empty" else _KIND_FIT[field].get(profile.kind, 0.2)
        if serials and field == "invoice_date":
            fit = 1.0
        if field == "quantity" and profile.kind == "number" and profile.whole:
            fit = 1.0  # "2.00" or "2,000" units: an ERP's whole number with decimals
        scores[field] = (score * fit, reason if fit >= 0.8 else f"{reason}, but values differ")

    def offer(field: str, score: float, reason: str) -> None:
        if score > scores.get(field, (0.0, ""))[0]:
            scores[field] = (score, reason)

    if profile.kind == "currency":
        offer("currency", 0.9, "values are currency codes")
    if profile.kind == "country":
        offer("end_customer_country", 0.8, "values are countries")
    if profile.kind == "date":
        offer("invoice_date", 0.55, "values are dates")
    fallback = fallback_field(profile.header)
    if fallback and profile.kind in _FALLBACK_KINDS[fallback]:
        offer(
            fallback,
            FALLBACK_SCORE,
            f'"{profile.header}" names another document\'s {fallback.split("_")[1]}',
        )

    values = _column_values(info, profile.index)
    vendor_share = _share(values, vendor_skus)
    partner_share = _share(values, partner_skus)
    if max(vendor_share, partner_share) >= 0.5:
        header_says = max(scores.get(f, (0.0, ""))[0] for f in SKU_FIELDS)
        winner, loser = (
            ("partner_sku", "vendor_sku")
            if partner_share > vendor_share
            else ("vendor_sku", "partner_sku")
        )
        share = max(vendor_share, partner_share)
        what = "partner part numbers with aliases" if winner == "partner_sku" else "catalogue SKUs"
        scores[winner] = (
            max(header_says, 0.7 + 0.3 * share),
            f"{share:.0%} of the values are {what}",
        )
        if loser in scores:
            scores[loser] = (scores[loser][0] * 0.5, scores[loser][1])
    return scores


def _assign(all_scores: list[dict[str, tuple[float, str]]]) -> dict[int, tuple[str, float, str]]:
    """Greedy one-to-one assignment of fields to columns, best score first."""
    offers = sorted(
        (
            (score, index, field, reason)
            for index, scores in enumerate(all_scores)
            for field, (score, reason) in scores.items()
            if score >= MINIMUM
        ),
        key=lambda offer: (-offer[0], offer[1]),
    )
    taken_fields: set[str] = set()
    chosen: dict[int, tuple[str, float, str]] = {}
    for score, index, field, reason in offers:
        if index in chosen or field in taken_fields:
            continue
        chosen[index] = (field, score, reason)
        taken_fields.add(field)
    return chosen


def _sample_numbers(info: FileInfo, index: int) -> list[Decimal | None]:
    """The column's sample values parsed exactly as the normaliser will parse them."""
    profile = info.columns[index]
    values = [row[index] if index < len(row) else None for row in info.sample_rows]
    if profile.number is None:
        return [None] * len(values)
    return parse_numbers(pl.Series(values, dtype=pl.String), profile.number).to_list()


def _price_relation(info: FileInfo, quantity: int, first: int, second: int) -> float:
    """Share of sample rows where quantity x column `first` equals column `second`."""
    checked = agreeing = 0
    rows = zip(
        _sample_numbers(info, quantity),
        _sample_numbers(info, first),
        _sample_numbers(info, second),
        strict=True,
    )
    for units, price, total in rows:
        if units is None or price is None or total is None or units == 0:
            continue
        checked += 1
        if abs(abs(units * price) - abs(total)) <= max(Decimal("0.011"), abs(units) / 200):
            agreeing += 1
    return agreeing / checked if checked else -1.0


def propose_mapping(
    info: FileInfo,
    *,
    known_vendor_skus: set[str] | None = None,
    known_partner_skus: set[str] | None = None,
) -> MappingProposal:
    """A field for every column of `info`, with confidences and an overall verdict."""
    vendor_skus = {sku.strip().upper() for sku in known_vendor_skus or ()}
    partner_skus = {sku.strip().upper() for sku in known_partner_skus or ()}
    all_scores = [
        column_scores(info, profile, vendor_skus, partner_skus) for profile in info.columns
    ]
    _apply_fallbacks(info, all_scores)
    chosen = _assign(all_scores)
    reasons: list[str] = []
    by_field = {field: index for index, (field, _, _) in chosen.items()}

    if {"quantity", "unit_price", "amount"} <= set(by_field):
        quantity, unit, total = by_field["quantity"], by_field["unit_price"], by_field["amount"]
        straight = _price_relation(info, quantity, unit, total)
        swapped = _price_relation(info, quantity, total, unit)
        if swapped > 0.8 and straight < 0.5:
            chosen[unit], chosen[total] = (
                ("amount", chosen[unit][1], "quantity x the other price column gives it"),
                ("unit_price", chosen[total][1], "times the quantity it gives the amount"),
            )
            by_field["unit_price"], by_field["amount"] = total, unit
        elif 0 <= straight < 0.8:
            reasons.append(
                "Quantity x unit price does not give the amount in most sample rows; "
                "check which column is which."
            )

    columns = []
    for profile in info.columns:
        field, score, reason = chosen.get(profile.index, (IGNORE, 0.0, ""))
        alternatives = sorted(
            ((f, round(s, 2)) for f, (s, _) in all_scores[profile.index].items() if f != field),
            key=lambda item: -item[1],
        )[:3]
        if field == IGNORE:
            best_other = alternatives[0][1] if alternatives else 0.0
            confidence = round(1.0 - best_other, 2)
            reason = (
                "no known column name or values"
                if not alternatives
                else (f"{alternatives[0][0]} is taken by a better match")
            )
        else:
            confidence = round(score, 2)
        columns.append(
            ColumnChoice(profile.index, profile.header, field, confidence, reason, alternatives)
        )

    reasons += _uncertainties(columns, by_field, info)
    return MappingProposal(
        columns=columns,
        certain=not reasons,
        reasons=reasons,
        signature=header_signature(info.headers),
    )


def _uncertainties(columns: list[ColumnChoice], by_field: dict[str, int], info: FileInfo):
    reasons = []
    labels = {field: field.replace("_", " ") for field in CANONICAL_FIELDS}
    for field in REQUIRED:
        if field not in by_field:
            reasons.append(f"No column was recognised as the {labels[field]}.")
    if not any(field in by_field for field in SKU_FIELDS):
        reasons.append("No column was recognised as the product code (SKU).")
    if not any(field in by_field for field in PRICE_FIELDS):
        reasons.append("No column was recognised as the unit price or the amount.")
    for choice in columns:
        if choice.field != IGNORE and choice.confidence < CERTAIN:
            reasons.append(
                f'Column "{choice.header}" was guessed to be the {labels[choice.field]} '
                f"({choice.reason}); please confirm."
            )
    winners = {choice.field: choice.confidence for choice in columns if choice.field != IGNORE}
    for choice in columns:
        if choice.field != IGNORE or not choice.alternatives:
            continue
        field, score = choice.alternatives[0]
        if score >= CERTAIN and winners.get(field, 0.0) - score < 0.1:
            reasons.append(
                f'Columns "{choice.header}" and another both look like the {labels[field]}; '
                "choose one."
            )
    if info.date_order == "ambiguous":
        reasons.append("The dates could be day/month or month/day; choose the order.")
    return reasons

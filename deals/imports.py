"""CSV imports of the catalogue and of direct accounts: validate every row, then write all
or nothing (a half-imported catalogue is worse than none)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from deals.models import DirectAccount, Product

PRODUCT_COLUMNS = ("vendor_sku", "name", "list_price", "currency")
ACCOUNT_COLUMNS = ("name", "domain", "country")


@dataclass
class ImportResult:
    """What an import did, or the errors (line number, message) that stopped it."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _rows(text: str, columns: tuple[str, ...], result: ImportResult) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in columns if column not in header]
    if missing:
        result.errors.append((1, f"the header must name {','.join(columns)}; missing {missing}"))
        return []
    reader.fieldnames = header
    return [
        (number, {key: (value or "").strip() for key, value in row.items() if key})
        for number, row in enumerate(reader, start=2)
    ]


def products_import(*, text: str) -> ImportResult:
    """Rows ``vendor_sku,name,list_price,currency``; existing SKUs are updated."""
    result = ImportResult()
    parsed: dict[str, dict] = {}
    for line, row in _rows(text, PRODUCT_COLUMNS, result):
        sku = row["vendor_sku"]
        if not sku:
            result.errors.append((line, "vendor_sku is empty"))
            continue
        if sku in parsed:
            result.errors.append((line, f"vendor_sku {sku} appears twice"))
            continue
        try:
            price = Decimal(row["list_price"].replace(",", ""))
        except InvalidOperation:
            result.errors.append((line, f"list_price {row['list_price']!r} is not a number"))
            continue
        if price < 0:
            result.errors.append((line, "list_price must not be negative"))
            continue
        currency = row["currency"].upper()
        if len(currency) != 3 or not currency.isalpha():
            result.errors.append((line, "currency must be a three-letter code such as USD"))
            continue
        if not row["name"]:
            result.errors.append((line, "name is empty"))
            continue
        parsed[sku] = {"name": row["name"], "list_price": price, "currency": currency}
    if result.errors:
        return result
    with transaction.atomic():
        # One read and one upsert whatever the number of rows (no query per row).
        existing = set(
            Product.objects.filter(vendor_sku__in=parsed).values_list("vendor_sku", flat=True)
        )
        Product.objects.bulk_create(
            [Product(vendor_sku=sku, **values, is_active=True) for sku, values in parsed.items()],
            update_conflicts=True,
            unique_fields=["vendor_sku"],
            update_fields=["name", "list_price", "currency", "is_active"],
        )
        result.updated = len(existing)
        result.created = len(parsed) - len(existing)
    return result


def direct_accounts_import(*, text: str) -> ImportResult:
    """Rows ``name,domain,country``; an account with the same name and domain is updated."""
    result = ImportResult()
    parsed = []
    for line, row in _rows(text, ACCOUNT_COLUMNS, result):
        if not row["name"]:
            result.errors.append((line, "name is empty"))
            continue
        country = row["country"].upper()
        if country and (len(country) != 2 or not country.isalpha()):
            result.errors.append((line, "country must be a two-letter code such as US"))
            continue
        parsed.append((row["name"], row["domain"], country))
    if result.errors:
        return result
    with transaction.atomic():
        for name, domain, country in parsed:
            account = DirectAccount.objects.filter(
                customer_name=name, customer_domain=domain
            ).first()
            if account is None:
                DirectAccount.objects.create(
                    customer_name=name, customer_domain=domain, customer_country=country
                )
                result.created += 1
            else:
                account.customer_country = country
                account.save()
                result.updated += 1
    return result

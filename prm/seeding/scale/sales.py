"""One finished upload (and its import run) per partner and month with sales, and the
canonical sales lines converted at the vendor's monthly rates."""

from __future__ import annotations

import hashlib
from array import array
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from prm.seeding.scale.pgcopy import copy_text, encode, model_template, reserve_ids, text
from prm.seeding.scale.rates import local_amount, rate_on
from prm.seeding.scale.report import Report
from prm.seeding.scale.spec import Seeded, TenantSpec


def seed_sales(
    cursor,
    spec: TenantSpec,
    seeded: Seeded,
    today: date,
    rng,
    rates: dict[str, list],
    report: Report,
) -> None:
    """Uploads (one per partner and month with sales), their import runs and the lines.

    Lines are first counted per partner and month (big partners sell more, later months a
    little more), then written month by month, partner by partner: the order reports
    arrive in, so each upload's lines sit together on disk as an import leaves them.
    """
    from reporting.analytics.selectors import add_months
    from reporting.models import ImportRun, SalesLine, Upload

    partners = seeded.partners
    if spec.lines <= 0 or not partners:
        return
    start = add_months(today.replace(day=1), -spec.months)
    months = [add_months(start, m) for m in range(spec.months + 1)]
    days = [
        ((add_months(m, 1) if i < spec.months else today + timedelta(days=1)) - m).days
        for i, m in enumerate(months)
    ]
    month_weights = [(1 + 0.02 * i) * days[i] for i in range(len(months))]
    partner_cum = list(accumulate(rng.paretovariate(1.2) for _ in partners))
    month_cum = list(accumulate(month_weights))
    counts = array("I", bytes(4 * len(partners) * len(months)))
    left = spec.lines
    while left:
        k = min(left, 100_000)
        for p, m in zip(
            rng.choices(range(len(partners)), cum_weights=partner_cum, k=k),
            rng.choices(range(len(months)), cum_weights=month_cum, k=k),
            strict=True,
        ):
            counts[m * len(partners) + p] += 1
        left -= k
    cells = [(m, p, c) for i, c in enumerate(counts) if c for m, p in (divmod(i, len(partners)),)]
    del counts
    upload_first = reserve_ids(cursor, Upload._meta.db_table, len(cells))
    now = datetime.now(UTC)

    def arrived(m: int) -> datetime:
        after = add_months(months[m], 1)
        at = datetime.combine(after, datetime.min.time(), tzinfo=UTC) + timedelta(
            days=rng.randrange(1, 10), hours=rng.randrange(7, 18)
        )
        return min(at, now - timedelta(minutes=5))

    times = [arrived(m) for m, _p, _c in cells]

    with report.phase("uploads and import runs") as written:
        u_columns, u_template, u = model_template(
            Upload, {"status": "done", "progress": 100, "encoding": "utf-8"}, with_pk=True
        )

        def uploads():
            for n, (m, p, c) in enumerate(cells):
                partner, month = partners[p], months[m]
                row = list(u_template)
                row[u["id"]], row[u["partner_id"]] = str(upload_first + n), str(partner.id)
                row[u["uploaded_by_id"]] = encode(partner.people[0] if partner.people else None)
                row[u["original_name"]] = f"{partner.slug}_sales_{month:%Y-%m}.csv"
                row[u["file"]] = f"reports/{partner.slug}-{month:%Y-%m}.csv"
                row[u["size"]] = str(90 * c + 120)
                row[u["sha256"]] = hashlib.sha256(
                    f"{spec.schema}:{partner.slug}:{month}".encode()
                ).hexdigest()
                row[u["rows_total"]] = row[u["line_count"]] = str(c)
                row[u["created_at"]] = times[n].isoformat()
                row[u["started_at"]] = (times[n] + timedelta(seconds=2)).isoformat()
                row[u["finished_at"]] = (times[n] + timedelta(seconds=5)).isoformat()
                yield row

        written.append(copy_text(cursor, Upload._meta.db_table, u_columns, uploads()))
        r_columns, r_template, r = model_template(ImportRun, {"status": "done", "progress": 100})

        def runs():
            for n, (_m, p, c) in enumerate(cells):
                row = list(r_template)
                row[r["upload_id"]] = str(upload_first + n)
                row[r["requested_by_id"]] = encode(
                    partners[p].people[0] if partners[p].people else None
                )
                row[r["rows_total"]] = row[r["line_count"]] = str(c)
                row[r["started_at"]] = (times[n] + timedelta(seconds=2)).isoformat()
                row[r["finished_at"]] = (times[n] + timedelta(seconds=5)).isoformat()
                yield row

        written.append(copy_text(cursor, ImportRun._meta.db_table, r_columns, runs()))

    with report.phase("sales lines") as written:
        written.append(
            _sales_lines(
                cursor,
                cells,
                upload_first,
                partners,
                months,
                days,
                seeded,
                rates,
                spec,
                rng,
            )
        )
        # Each upload's lines are found by their id range (reporting.models.lines_of_upload).
        cursor.execute(
            f"""UPDATE {Upload._meta.db_table} u
                   SET first_line_id = r.first_id, last_line_id = r.last_id
                  FROM (SELECT upload_id, min(id) AS first_id, max(id) AS last_id
                          FROM {SalesLine._meta.db_table}
                         WHERE upload_id BETWEEN %s AND %s GROUP BY upload_id) r
                 WHERE u.id = r.upload_id""",
            [upload_first, upload_first + len(cells) - 1],
        )


def _sales_lines(
    cursor, cells, upload_first, partners, months, days, seeded, rates, spec: TenantSpec, rng
) -> int:
    from reporting.models import SalesLine, hold_line_ids

    products = seeded.products
    sku_cum = list(accumulate(1 / (k + 1) for k in range(len(products))))  # few sell most
    customers = [text(name) for name in seeded.customers]
    columns, template, at = model_template(SalesLine, {"reseller": "", "partner_sku": ""})
    month_days = [
        [(m + timedelta(days=d)).isoformat() for d in range(days[i])] for i, m in enumerate(months)
    ]
    prices: dict[tuple[int, str, int], tuple[str, Decimal, Decimal]] = {}

    def rows():
        for n, (m, p, c) in enumerate(cells):
            partner = partners[p]
            upload = str(upload_first + n)
            rate = rate_on(rates, partner.currency, months[m])
            stem = f"{partner.slug[-5:]}-{months[m]:%y%m}"
            picks = rng.choices(range(len(products)), cum_weights=sku_cum, k=c)
            for row_number, k in enumerate(picks, start=2):  # row 1: the file's header
                key = (k, partner.currency, m)
                if key not in prices:
                    unit = local_amount(products[k][2], partner.currency, rate)
                    prices[key] = (products[k][1], unit, rate)
                sku, unit, line_rate = prices[key]
                quantity = rng.randrange(1, 20) if rng.random() > 0.03 else -rng.randrange(1, 3)
                amount = unit * quantity
                day = month_days[m][rng.randrange(days[m])]
                customer = customers[rng.randrange(len(customers))]
                number = f"INV-{stem}-{row_number - 1}"
                row = list(template)
                row[at["upload_id"]], row[at["partner_id"]] = upload, str(partner.id)
                row[at["invoice_number"]], row[at["invoice_date"]] = number, day
                row[at["end_customer"]] = customer
                row[at["end_customer_country"]] = partner.country
                row[at["vendor_sku"]], row[at["quantity"]] = sku, str(quantity)
                row[at["unit_price"]], row[at["amount"]] = str(unit), str(amount)
                row[at["currency"]] = partner.currency
                row[at["amount_reporting"]] = str(
                    (amount * line_rate).quantize(Decimal("0.000001"))
                    if partner.currency != spec.reporting_currency
                    else amount
                )
                row[at["source_row"]] = str(row_number)
                row[at["transaction_type"]] = "return" if quantity < 0 else "sale"
                yield row

    # Ids from the table's identity, under the lock every writer of lines holds until
    # commit, so that no import's reserved block can meet them.
    hold_line_ids(cursor)
    return copy_text(cursor, SalesLine._meta.db_table, columns, rows())

"""Two-tier duplicates: one sale reported by two partners (a distributor and its reseller).

After an upload's end customers are linked to the registry, its counted lines are paired
with other partners' counted lines of the same invoice number (case and blanks folded),
SKU and quantity sold to the same registry customer. Both lines stay in each partner's
own figures (each did report it); the pair is flagged on both partners' reports, and
`counted` marks the side the sale belongs to: the partner closest to the end customer
(a reseller rather than a distributor), else the one that reported first. (Vendor-wide
totals do not subtract the other side yet.)
"""

from __future__ import annotations

from django.db import connection, transaction

from partners.models import Partner
from prm.core.sql import hold_rows
from reporting.models import SalesLine, Upload, lines_of_upload
from reporting.quality.models import CustomerName, TwoTierLine


@transaction.atomic
def flag_two_tier(upload_id: int) -> int:
    """Recompute the two-tier pairs of one upload (both sides); return rows flagged.

    Both sides' uploads are held until commit (FOR KEY SHARE): an upload deleted meanwhile
    is skipped, or pairs nothing, instead of failing the run on its key."""
    if not hold_rows(Upload, [upload_id]):
        return 0
    lines, names, flagged = (
        SalesLine._meta.db_table,
        CustomerName._meta.db_table,
        TwoTierLine._meta.db_table,
    )
    partners, uploads = Partner._meta.db_table, Upload._meta.db_table
    linked = f"""
        SELECT l.upload_id, l.source_row, l.partner_id, n.customer_id, l.invoice_number,
               upper(btrim(l.invoice_number)) AS invoice_key, l.invoice_date, l.vendor_sku,
               l.quantity, l.amount_reporting
          FROM {lines} l
          JOIN {names} n ON n.name = l.end_customer
                        AND n.country = upper(left(coalesce(l.end_customer_country, ''), 2))
         WHERE n.customer_id IS NOT NULL"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {flagged} WHERE upload_id = %(u)s OR other_upload_id = %(u)s",
            {"u": upload_id},
        )
        cursor.execute(
            f"""
            WITH mine AS ({linked} AND {lines_of_upload("l", "%(u)s")}),
            theirs AS (
                {linked}
                   AND l.upload_id <> %(u)s
                   AND l.partner_id <> (SELECT partner_id FROM {uploads} WHERE id = %(u)s)
                   AND upper(btrim(l.invoice_number)) IN (SELECT invoice_key FROM mine)
            ),
            held AS (
                SELECT id FROM {uploads} WHERE id IN (SELECT upload_id FROM theirs)
                   FOR KEY SHARE
            ),
            pairs AS (
                SELECT m.upload_id AS a_upload, m.source_row AS a_row, m.partner_id AS a_partner,
                       t.upload_id AS b_upload, t.source_row AS b_row, t.partner_id AS b_partner,
                       m.customer_id,
                       m.invoice_number AS a_invoice, t.invoice_number AS b_invoice,
                       m.invoice_date AS a_date, t.invoice_date AS b_date,
                       m.vendor_sku, m.quantity,
                       m.amount_reporting AS a_amount, t.amount_reporting AS b_amount,
                       -- the side vendor-wide figures keep: not a distributor facing a
                       -- non-distributor; between equals, the earlier upload
                       CASE WHEN pa.partner_type = 'distributor'
                                 AND pb.partner_type <> 'distributor' THEN false
                            WHEN pb.partner_type = 'distributor'
                                 AND pa.partner_type <> 'distributor' THEN true
                            ELSE m.upload_id < t.upload_id END AS a_counted
                  FROM mine m
                  JOIN theirs t ON t.invoice_key = m.invoice_key AND t.vendor_sku = m.vendor_sku
                               AND t.quantity = m.quantity AND t.customer_id = m.customer_id
                  JOIN held h ON h.id = t.upload_id
                  JOIN {partners} pa ON pa.id = m.partner_id
                  JOIN {partners} pb ON pb.id = t.partner_id
            )
            INSERT INTO {flagged} (upload_id, source_row, partner_id, other_partner_id,
                                   other_upload_id, customer_id, invoice_number, invoice_date,
                                   vendor_sku, quantity, amount_reporting, counted)
            SELECT a_upload, a_row, a_partner, b_partner, b_upload, customer_id, a_invoice,
                   a_date, vendor_sku, quantity, a_amount, a_counted FROM pairs
            UNION ALL
            SELECT b_upload, b_row, b_partner, a_partner, a_upload, customer_id, b_invoice,
                   b_date, vendor_sku, quantity, b_amount, NOT a_counted FROM pairs
            """,
            {"u": upload_id},
        )
        return cursor.rowcount

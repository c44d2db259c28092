"""Conflict check against 200,000 open registrations: must take under 50 ms.

    .venv/bin/python bench/conflicts.py > bench/results/conflicts-200k.json

(Not under ``nice``: it measures latency, and a niced run on a busy machine measures the
queue for the CPU - 22 ms median instead of 5 ms here. ``--reuse`` keeps the loaded
database, so a second run only measures.)

Uses DATABASE_URL's server (embedded PostgreSQL when unset, like `make test`), creates its
own database (prm_bench_conflicts; refuses one that exists unless --reuse), migrates it,
provisions one vendor with 300 partners and 500 products, and loads --rows open deal
registrations (submitted / more information / approved) with 1-4 lines each through COPY.
The derived matching columns are computed by the same code the services use
(deals.matching), so the indexes hold what production holds.

Then it times the real check, ``deals.conflicts.find_conflicts`` - both candidate queries
(other partners' open registrations, direct accounts) and the scoring of every candidate -
for --probes new registrations: half are other spellings of customers already registered
(so candidates and conflicts are found), half are customers nobody has. Each probe runs
three times and counts its median (the machine may be shared). Prints one JSON document
(progress on stderr; the load average says how busy the machine was) and exits 1 if the
95th percentile is not under 50 ms.

Names are drawn from English, Vietnamese, German and Japanese vocabularies with common
words repeated (as real customer lists are): many names share "blue", "minh" or "müller",
which is what makes a naive token lookup slow.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

BUDGET_MS = 50.0

EN_FIRST = (
    "blue red green silver golden north south east west bright swift iron ocean river "
    "mountain harbor summit pioneer liberty eagle falcon cedar maple oak pine granite "
    "crystal star sun moon sky delta alpha omega prime apex vertex zenith nova orbit "
    "quantum vector redwood cobalt pinecrest lakeside"
).split()
EN_SECOND = (
    "harbor bridge valley ridge point bay field stone works labs forge gate path way line "
    "link wave peak crest rock wood brook lake port haven grove view street"
).split()
EN_GENERIC = (
    "logistics solutions systems technology trading consulting networks industries services "
    "group holdings partners digital software hotels schools bakery medical"
).split()
VN_SYLLABLES = (
    "minh phát hoàng long an bình thành đạt phú quý hưng thịnh việt tiến đức trí tâm nhất "
    "quang nam bắc trung hải sơn hà đông tây kim ngọc bảo khang vĩnh lộc thọ gia huy khôi "
    "nguyên phong lâm tùng mai lan cúc hồng hạnh phúc thái dương sao mây núi sông biển "
    "hoa sen trường thắng lợi toàn cầu hợp nhất tân phước tài vạn xuân thu hạ đăng khoa "
    "nhân nghĩa lễ tín hiếu trung hậu sáng tạo thiên ân anh tuấn kiệt vinh quang mỹ "
    "linh châu ngân kiên cường đại dũng phương hiền đan thảo uyên hương"
).split()
VN_PREFIX = ("Công ty TNHH", "Công ty Cổ phần", "CTCP", "Cty TNHH MTV")
VN_TRADE = ("", "Thương mại", "Dịch vụ", "Xây dựng", "Công nghệ")
DE_NAMES = (
    "müller schmidt schneider fischer weber meyer wagner becker schulz hoffmann koch richter "
    "klein wolf schröder neumann schwarz braun zimmermann krüger weiß groß"
).split()
DE_TRADE = "maschinenbau technik handel vertrieb logistik elektro bau systemhaus".split()
JP_NAMES = (
    "sakura fuji yamato nippon tokai kansai hokuto asahi daiichi shin kyoto osaka nagoya "
    "sendai hiroshima kobe chiba saitama niigata kumamoto"
).split()
# Towns and second names make customers as varied as real ones: without them the generator
# repeats "Schröder Handel GmbH" hundreds of times, which no real registration list does.
TOWNS = (
    "bremen hamburg berlin köln münchen stuttgart leipzig dresden hannover nürnberg essen "
    "dortmund bonn mainz kiel lübeck rostock ulm augsburg freiburg graz linz salzburg "
    "zürich basel bern wien innsbruck kassel erfurt"
).split()
EN_SUFFIX = ("Inc.", "LLC", "Ltd", "Corp", "Pty Ltd", "")
COUNTRIES_EN = ("US", "GB", "AU", "SG", "CA")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def company(rng: random.Random) -> tuple[str, str, str]:
    """A (name, domain-or-email, country) triple; about 70 % carry a real domain."""
    kind = rng.random()
    if kind < 0.45:
        core = f"{rng.choice(EN_FIRST).title()} {rng.choice(EN_SECOND).title()}"
        if rng.random() < 0.6:
            core = f"{rng.choice(EN_FIRST + JP_NAMES).title()} {core}"
        name = f"{core} {rng.choice(EN_GENERIC).title()} {rng.choice(EN_SUFFIX)}".strip()
        country = rng.choice(COUNTRIES_EN)
    elif kind < 0.70:
        syllables = " ".join(s.title() for s in rng.sample(VN_SYLLABLES, rng.choice((2, 3))))
        trade = rng.choice(VN_TRADE)
        name = f"{rng.choice(VN_PREFIX)} {trade} {syllables}".replace("  ", " ")
        core, country = syllables, "VN"
    elif kind < 0.90:
        core = f"{rng.choice(DE_NAMES).title()} {rng.choice(DE_TRADE).title()}"
        if rng.random() < 0.8:
            core = f"{core} {rng.choice(TOWNS + DE_NAMES).title()}"
        name = f"{core} {rng.choice(('GmbH', 'AG', 'GmbH & Co. KG', 'KG'))}"
        country = rng.choice(("DE", "AT", "CH"))
    else:
        core = f"{rng.choice(JP_NAMES).title()} {rng.choice(EN_SECOND).title()}"
        if rng.random() < 0.7:
            core = f"{core} {rng.choice(EN_FIRST).title()}"
        name = f"{core} {rng.choice(('K.K.', 'Co., Ltd.', ''))}".strip()
        country = "JP"
    roll = rng.random()
    slug = "".join(ch for ch in core.lower() if ch.isascii() and ch.isalnum())[:18]
    domain = f"{slug}{rng.randrange(10_000)}.com"
    if roll < 0.5:
        contact = domain
    elif roll < 0.7:
        contact = f"buyer@{domain}"
    elif roll < 0.8:
        contact = f"someone{rng.randrange(999)}@gmail.com"
    else:
        contact = ""
    return name, contact, country


def respell(name: str, rng: random.Random) -> str:
    """Another partner's spelling of the same customer: case, suffix, accents, a typo."""
    from deals.matching import normalise_company_name

    plain = normalise_company_name(name)
    choice = rng.random()
    if choice < 0.3:
        return plain.title() + " Inc"
    if choice < 0.6:
        return plain.upper()
    if choice < 0.8 and len(plain) > 8:
        at = rng.randrange(2, len(plain) - 2)
        return plain[:at] + plain[at + 1 :]  # a dropped letter
    return plain.replace("ue", "ü").replace("harbor", "harbour")


def database_url(base_url: str, name: str) -> str:
    head, _sep, tail = base_url.rpartition("/")
    return f"{head}/{name}{'?' + tail.split('?', 1)[1] if '?' in tail else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--database", default="prm_bench_conflicts")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the database")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    from services import ensure_services

    ensure_services(database="postgres")
    server_url = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = database_url(server_url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    os.environ["TENANT_BASE_SCHEMA"] = ""  # provision by migrating: one vendor only
    os.environ["AXES_ENABLED"] = "0"

    import psycopg

    admin = psycopg.connect(database_url(server_url, "postgres"), autocommit=True)
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
    ).fetchone()
    if exists and not args.reuse:
        print(f"database {args.database} exists; pass --reuse or drop it", file=sys.stderr)
        return 2
    if not exists:
        admin.execute(f'CREATE DATABASE "{args.database}"')

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from deals import conflicts, matching
    from deals.models import Deal, DealStatus
    from partners.models import Partner
    from prm.accounts.models import Role, User
    from prm.tenancy.services import vendor_create

    report: dict = {"rows": args.rows, "probes": args.probes, "budget_ms": BUDGET_MS}
    rng = random.Random(args.seed)
    try:
        if not exists:
            log("migrating the shared schema")
            call_command("migrate_schemas", shared=True, verbosity=0)
        vendor = vendor_create(schema="bench", name="Bench Vendor", domain="bench.localhost")
        with schema_context("bench"):
            loaded = Deal.objects.count()
            if loaded < args.rows:
                started = time.perf_counter()
                load(args.rows - loaded, rng, Partner, User, Role, Deal, DealStatus, matching)
                report["load_seconds"] = round(time.perf_counter() - started, 1)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE deals_deal; ANALYZE deals_dealline;")
                cursor.execute(
                    "SELECT count(*) FROM deals_deal "
                    "WHERE status IN ('submitted', 'more_information', 'approved')"
                )
                report["open_registrations"] = cursor.fetchone()[0]
            report.update(measure(args.probes, rng, Deal, Partner, conflicts, matching))
        report["load_average_1m"] = round(os.getloadavg()[0], 2)
        report["cpus"] = os.cpu_count()
        report["postgres"] = connection.cursor().connection.info.server_version
        report["vendor"] = vendor.schema_name
    finally:
        connection.close()
        if not args.reuse:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    report["git"] = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(json.dumps(report, indent=2))
    return 0 if report["p95_ms"] < BUDGET_MS else 1


def load(rows, rng, Partner, User, Role, Deal, DealStatus, matching) -> None:
    """Partners, reps, products and `rows` open registrations with their lines, via COPY."""
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from deals.models import Product

    log("creating partners, reps and products")
    partners = []
    for index in range(300):
        partner, _ = Partner.objects.get_or_create(
            slug=f"partner-{index}", defaults={"name": f"Partner {index}", "country": "US"}
        )
        partners.append(partner)
    reps = {}
    for partner in partners:
        email = f"rep@{partner.slug}.example"
        rep = User.objects.filter(email=email).first()
        if rep is None:
            rep = User.objects.create_user(email=email, role=Role.PARTNER_REP)
        reps[partner.pk] = rep.pk
    for index in range(500):
        Product.objects.get_or_create(
            vendor_sku=f"SKU-{index:04d}",
            defaults={"name": f"Product {index}", "list_price": Decimal("100")},
        )
    product_ids = list(Product.objects.values_list("pk", flat=True))
    statuses = [DealStatus.SUBMITTED, DealStatus.MORE_INFORMATION, DealStatus.APPROVED]
    now = timezone.now()
    log(f"generating and copying {rows} registrations")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM deals_deal")
        next_id = cursor.fetchone()[0] + 1
    columns = (
        "id, partner_id, registered_by_id, status, version, customer_name, customer_domain, "
        "customer_country, customer_domain_key, customer_name_keys, customer_name_forms, "
        "contact_name, contact_email, contact_phone, expected_value, value_overridden, "
        "currency, notes, decision_comment, extension_reason, lost_reason, created_at, "
        "updated_at, submitted_at, protected_until, product_ids"
    )
    lines = []
    raw = connection.connection  # psycopg 3 connection under Django's wrapper (autocommit)
    with raw.cursor() as cursor:
        cursor.execute("SET search_path = bench, public")
        with cursor.copy(f"COPY deals_deal ({columns}) FROM STDIN") as copy:
            for offset in range(rows):
                deal_id = next_id + offset
                name, contact, country = company(rng)
                partner = rng.choice(partners)
                status = rng.choice(statuses)
                submitted = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
                protected = (
                    (submitted + timedelta(days=90)).date()
                    if status == DealStatus.APPROVED
                    else None
                )
                chosen = sorted(rng.sample(product_ids, rng.randint(1, 4)))
                copy.write_row(
                    (
                        deal_id,
                        partner.pk,
                        reps[partner.pk],
                        status,
                        1,
                        name,
                        contact,
                        country,
                        matching.domain_key(contact),
                        matching.name_keys(name),
                        sorted(matching.company_name_variants(name)),
                        "",
                        "",
                        "",
                        Decimal("1000"),
                        False,
                        "USD",
                        "",
                        "",
                        "",
                        "",
                        submitted,
                        submitted,
                        submitted,
                        protected,
                        chosen,
                    )
                )
                for product in chosen:
                    lines.append((deal_id, product, rng.randint(1, 20), Decimal("100")))
                if offset and offset % 50_000 == 0:
                    log(f"  {offset} registrations")
        log(f"copying {len(lines)} lines")
        with cursor.copy(
            "COPY deals_dealline (deal_id, product_id, quantity, unit_price) FROM STDIN"
        ) as copy:
            for line in lines:
                copy.write_row(line)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('deals_deal', 'id'), "
            "(SELECT MAX(id) FROM deals_deal))"
        )


def measure(probes, rng, Deal, Partner, conflicts, matching) -> dict:
    """Time find_conflicts for new registrations: half respelled existing, half new."""
    from deals.models import Product

    existing = list(
        Deal.objects.order_by("?").values_list("customer_name", "customer_country")[: probes // 2]
    )
    partner = Partner.objects.order_by("pk").first()
    product_ids = list(Product.objects.values_list("pk", flat=True)[:3])
    cases = [(respell(name, rng), country, True) for name, country in existing]
    cases += [
        (f"Zq{rng.randrange(10**6)} Nonexistent Widgets", "US", False)
        for _ in range(probes - len(cases))
    ]
    timings, candidates, found_for_known, found_for_new, slowest = [], [], [], [], []
    for warm in cases[:10]:  # warm caches and the connection, not measured
        conflicts.find_conflicts(_probe(Deal, partner, warm[0], warm[1], matching), product_ids)
    for name, country, known in cases:
        deal = _probe(Deal, partner, name, country, matching)
        # Median of three runs: the machine is shared, and one run measures the scheduler
        # as much as the check.
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            found = conflicts.find_conflicts(deal, product_ids)
            runs.append((time.perf_counter() - started) * 1000)
        timings.append(statistics.median(runs))
        (found_for_known if known else found_for_new).append(len(found))
        candidates.append(len(conflicts.candidate_deals(deal)))
        slowest.append((round(timings[-1], 1), name, candidates[-1], len(found)))
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "mean_ms": round(statistics.fmean(timings), 2),
        "mean_candidates_fetched": round(statistics.fmean(candidates), 1),
        "max_candidates_fetched": max(candidates),
        "respelled_probes_with_a_conflict": sum(1 for n in found_for_known if n),
        "respelled_probes": len(found_for_known),
        "new_customer_probes_with_a_conflict": sum(1 for n in found_for_new if n),
        "new_customer_probes": len(found_for_new),
        "slowest": [
            {"ms": ms, "name": name, "candidates": fetched, "conflicts": count}
            for ms, name, fetched, count in sorted(slowest, reverse=True)[:5]
        ],
    }


def _probe(Deal, partner, name, country, matching):
    """An unsaved registration as deal_submit would check it."""
    from django.utils import timezone

    deal = Deal(partner=partner, customer_name=name, customer_country=country)
    deal.refresh_matching_keys()
    deal.submitted_at = timezone.now()
    return deal


if __name__ == "__main__":
    sys.exit(main())

"""`manage.py seed_scale`: benchmark data, one large vendor and many small ones (prm.seeding.scale).

    nice -n 10 .venv/bin/python manage.py seed_scale                 # full scale
    .venv/bin/python manage.py seed_scale --large-only --partners 50 --users 200 ...

Refuses when a schema it would create exists; `--replace` drops those first (only vendors
this command made). Every account's password is prm.seeding.scale.SCALE_PASSWORD.
"""

import os
import resource
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prm.seeding import scale


class Command(BaseCommand):
    help = (
        "Seed a large vendor (5,000 partners, 50,000 users, 200,000 deals, 2,000,000 sales "
        "lines by default) and 500 small vendors, with COPY, for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schema",
            default="scale",
            help="the large vendor's schema; "
            "small ones are <schema>_001 ... (hosts <schema>-001.<domain>)",
        )
        parser.add_argument("--partners", type=int, default=5000)
        parser.add_argument("--users", type=int, default=50_000, help="partner users")
        parser.add_argument("--deals", type=int, default=200_000)
        parser.add_argument("--lines", type=int, default=2_000_000, help="sales lines")
        parser.add_argument("--cms", type=int, default=20, help="channel managers")
        parser.add_argument("--months", type=int, default=24, help="months of sales")
        parser.add_argument("--small-tenants", type=int, default=500)
        parser.add_argument("--small-partners", type=int, default=3)
        parser.add_argument("--small-users", type=int, default=8)
        parser.add_argument("--small-deals", type=int, default=20)
        parser.add_argument("--small-lines", type=int, default=300)
        parser.add_argument(
            "--jobs", type=int, default=2, help="worker processes for the small tenants"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (same data)")
        only = parser.add_mutually_exclusive_group()
        only.add_argument("--small-only", action="store_true")
        only.add_argument("--large-only", action="store_true")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="drop the schemas this command would create, if they exist",
        )
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="also reconcile sales with registrations (slow: minutes per 100k lines)",
        )

    def handle(self, *args, **options):
        base_domain = settings.PRM_BASE_DOMAIN
        large = not options["small_only"] and options["partners"] > 0
        small_count = 0 if options["large_only"] else options["small_tenants"]
        schema = options["schema"]
        large_spec = scale.TenantSpec(
            schema=schema,
            name="Scale Networks",
            domain=f"{schema.replace('_', '-')}.{base_domain}",
            partners=options["partners"],
            users=options["users"],
            deals=options["deals"],
            lines=options["lines"],
            cms=max(options["cms"], 1),
            months=options["months"],
            seed=options["seed"],
        )
        small_specs = [
            scale.small_spec(
                schema,
                n,
                base_domain=base_domain,
                partners=options["small_partners"],
                users=options["small_users"],
                deals=options["small_deals"],
                lines=options["small_lines"],
                seed=options["seed"],
            )
            for n in range(1, small_count + 1)
        ]
        wanted = ([schema] if large else []) + [spec.schema for spec in small_specs]
        if not wanted:
            raise CommandError("Nothing to seed: every count is 0.")
        present = scale.existing_schemas(wanted)
        if present and not options["replace"]:
            shown = ", ".join(present[:5]) + (" ..." if len(present) > 5 else "")
            raise CommandError(
                f"{len(present)} schema(s) exist already: {shown}. Run again with --replace "
                "to drop and re-create them, or pick another --schema."
            )
        if present:
            self.stdout.write(f"Dropping {len(present)} existing seeded schema(s) ...")
            try:
                scale.drop_vendors(present)
            except ValueError as error:
                raise CommandError(f"Refusing to drop: {error}.") from error

        started = time.perf_counter()
        loadavg = [os.getloadavg()]
        hashed = scale.password_hash()
        today = date.today()
        report = scale.Report(log=self.stdout.write)
        if large:
            self.stdout.write(f"Large vendor {schema} ({large_spec.domain}):")
            scale.seed_tenant(
                large_spec,
                report=report,
                hashed=hashed,
                today=today,
                reconcile=options["reconcile"],
            )
            loadavg.append(os.getloadavg())
        small_seconds = 0.0
        if small_specs:
            self.stdout.write(f"{len(small_specs)} small vendors, {options['jobs']} job(s):")
            small_started = time.perf_counter()
            results = scale.seed_small_tenants(
                small_specs,
                jobs=options["jobs"],
                hashed=hashed,
                today=today,
                reconcile=options["reconcile"],
                log=self.stdout.write,
            )
            small_seconds = time.perf_counter() - small_started
            loadavg.append(os.getloadavg())
        total = time.perf_counter() - started

        self.stdout.write("")
        self.stdout.write("Summary")
        if large:
            self.stdout.write(
                f"Large vendor {schema}: {large_spec.partners:,} partners, "
                f"{large_spec.users:,} partner users, {large_spec.deals:,} deals, "
                f"{large_spec.lines:,} sales lines"
            )
            self.stdout.write(report.table())
        if small_specs:
            per = sorted(seconds for _schema, seconds, _rows in results)
            rows = sum(count for *_rest, count in results)
            self.stdout.write(
                f"Small vendors: {len(results)} in {small_seconds:.1f} s "
                f"({len(results) / small_seconds:.2f} vendors/s with {options['jobs']} jobs; "
                f"per vendor p50 {per[len(per) // 2]:.2f} s, max {per[-1]:.2f} s; "
                f"{rows:,} rows)"
            )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"Total {total:.1f} s; peak memory of this process {peak_mb:.0f} MB; "
            "load average " + ", ".join(f"{a[0]:.2f}" for a in loadavg)
        )
        self.stdout.write("")
        self.stdout.write(f"Logins (password {scale.SCALE_PASSWORD} for every account):")
        if large:
            mail = large_spec.mail_domain
            self.stdout.write(
                f"  http://{large_spec.domain}/  admin@{mail} (vendor admin), "
                f"cm1@{mail} .. cm{large_spec.cms}@{mail} (channel managers), "
                f"{self._partner_logins(schema)}"
            )
        if small_specs:
            first = small_specs[0]
            self.stdout.write(
                f"  http://{first.domain}/ .. {small_specs[-1].domain}: "
                f"{first.admin_email} (admin@<host label>.example on each), "
                f"cm1@{first.mail_domain}, {self._partner_logins(first.schema)}"
            )
        self.stdout.write(self.style.SUCCESS("Scale data ready."))

    @staticmethod
    def _partner_logins(schema: str) -> str:
        """A partner admin and a rep of the same partner (not every partner has reps)."""
        from django_tenants.utils import schema_context

        from prm.accounts.models import Role, User

        with schema_context(schema):
            rep = (
                User.objects.filter(role=Role.PARTNER_REP)
                .select_related("membership__partner")
                .order_by("pk")
                .first()
            )
        if rep is None:
            return "no partner users"
        slug = rep.membership.partner.slug
        return f"admin@{slug}.example (partner admin), {rep.email} (partner rep)"

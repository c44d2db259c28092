"""What `make run` prints once everything is up: where to go and who to log in as."""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def banner(port: str) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    django.setup()
    from prm.seeding.demo import DEMO_PASSWORD, DEMO_VENDORS

    lines = ["", "PRM is running. Open:"]
    for spec in DEMO_VENDORS:
        lines.append(f"  {spec.name}: http://{spec.schema}.localhost:{port}/")
        lines.append(f"    vendor admin   {spec.admin}")
        for email, name in spec.channel_managers:
            lines.append(f"    channel mgr    {email}  ({name})")
        for email, _name, role, slug in spec.partner_users:
            label = "partner admin " if role == "partner_admin" else "partner rep   "
            lines.append(f"    {label} {email}  ({slug})")
    lines.append(f"  Every demo password: {DEMO_PASSWORD}")
    lines.append(f"  Public site: http://localhost:{port}/   Press Ctrl-C to stop.")
    return "\n".join(lines)

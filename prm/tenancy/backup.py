"""Backup and restore of one vendor: its schema (pg_dump/psql) plus its public rows.

A backup file is pg_dump's plain SQL of the vendor's schema, preceded by one comment line
`-- prm-tenant-backup: {json}` holding the Vendor row and its domains (they live in the
public schema, outside the dump). Restoring replays the SQL in a single transaction (all
or nothing), after dropping the current schema when asked to, and recreates the Vendor and
Domain rows if they are gone. Uploaded files (MEDIA_ROOT/<schema>/) are copied separately;
docs/operations.md has the whole procedure.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

from prm.tenancy.models import Domain, Vendor

logger = logging.getLogger(__name__)

HEADER = "-- prm-tenant-backup: "
FORMAT = "prm-tenant-backup/1"
RESTORE_ATTEMPTS = 4
DEADLOCK = "40P01"  # SQLSTATE deadlock_detected
VENDOR_FIELDS = (
    "name",
    "is_active",
    "reporting_currency",
    "protection_days",
    "review_target_days",
    "max_upload_mb",
)


class BackupError(Exception):
    pass


def _client(program: str) -> tuple[list[str], dict[str, str]]:
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"{program} is not installed (apt-get install postgresql-client)")
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [binary, "--dbname", db["NAME"], "--username", db.get("USER") or "postgres"]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    return args, env


def backup_vendor(*, schema: str, path: Path) -> dict:
    """Write `schema`'s backup to `path`; answers the metadata written in its header."""
    vendor = Vendor.objects.get(schema_name=schema)
    meta = {
        "format": FORMAT,
        "schema": schema,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": {field: getattr(vendor, field) for field in VENDOR_FIELDS},
        "domains": [
            {"domain": d.domain, "is_primary": d.is_primary}
            for d in vendor.domains.order_by("domain")
        ],
    }
    args, env = _client("pg_dump")
    path = Path(path)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + json.dumps(meta, ensure_ascii=False) + "\n")
        out.flush()
        done = subprocess.run(
            [*args, f"--schema={schema}", "--no-owner", "--no-privileges", "--format=plain"],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
    if done.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return meta


def read_header(path: Path) -> dict:
    with Path(path).open(encoding="utf-8") as f:
        first = f.readline()
    if not first.startswith(HEADER):
        raise BackupError(f"{path} is not a PRM tenant backup (no header line)")
    meta = json.loads(first[len(HEADER) :])
    if meta.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {meta.get('format')!r}")
    return meta


def restore_vendor(*, path: Path, replace: bool = False) -> dict:
    """Restore the backup at `path` into its schema; answers its metadata.

    Refuses to touch an existing schema unless `replace`; the drop and the replay run in
    one transaction, so a failed restore leaves the current schema as it was.
    """
    meta = read_header(path)
    schema = meta["schema"]
    if not schema.isidentifier() or schema == "public":
        raise BackupError(f"refusing to restore into schema {schema!r}")
    exists = schema_exists(schema)
    if exists and not replace:
        raise BackupError(f"schema {schema} exists; pass --replace to overwrite it")
    # The restore runs on another connection: release ours so nothing waits on its locks.
    connection.close()
    for attempt in range(1, RESTORE_ATTEMPTS + 1):
        failure = _replay(path, schema)
        if failure is None:
            break
        # A worker still reading the old schema can deadlock with the DROP, which takes its
        # tables' locks one by one. The whole replay is one transaction, so nothing changed:
        # try again once the worker's transaction is over.
        if DEADLOCK not in failure or attempt == RESTORE_ATTEMPTS:
            raise BackupError(f"psql failed, nothing changed: {failure}")
        logger.warning(
            "restore of %s deadlocked with another session, nothing changed; trying again "
            "(attempt %d of %d)",
            schema,
            attempt + 1,
            RESTORE_ATTEMPTS,
        )
        time.sleep(0.5 * attempt)
    _ensure_vendor_rows(meta)
    return meta


def _replay(path: Path, schema: str) -> str | None:
    """Drop `schema` and replay the dump at `path` in one transaction; answers psql's error."""
    args, env = _client("psql")
    with Path(path).open("rb") as dump:
        proc = subprocess.Popen(
            [
                *args,
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                "VERBOSITY=verbose",  # prints the SQLSTATE, which does not depend on lc_messages
                "--single-transaction",
                "-f",
                "-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdin is not None
        try:
            proc.stdin.write(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE;\n'.encode())
            shutil.copyfileobj(dump, proc.stdin, 1024 * 1024)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            return stderr.strip()
    return None


def _ensure_vendor_rows(meta: dict) -> None:
    vendor = Vendor.objects.filter(schema_name=meta["schema"]).first()
    if vendor is None:
        vendor = Vendor(schema_name=meta["schema"], **meta["vendor"])
        vendor.auto_create_schema = False  # the schema was just restored
        vendor.save()
    for item in meta["domains"]:
        Domain.objects.get_or_create(
            domain=item["domain"], defaults={"tenant": vendor, "is_primary": item["is_primary"]}
        )

#!/bin/sh
# Time django-tenants' clone_schema() SQL function directly in a database that already has
# many schemas (e.g. while bench/tenants.py runs with --keep), then drop the copy:
#   sh bench/clone_probe.sh prm_bench_tenants
# The function must exist (any clone_schema() run, or CloneSchema()._create_clone_schema_function()).
set -eu
DB="${1:?database}"
case "$DB" in prm_bench*) ;; *) echo "only prm_bench* databases" >&2; exit 2;; esac
psql -h 127.0.0.1 -U postgres "$DB" -Atc "select count(*) || ' schemas' from pg_namespace"
psql -h 127.0.0.1 -U postgres "$DB" <<'SQL'
\timing on
SELECT public.clone_schema('tenant_template', 'probe_x', 'DATA');
DROP SCHEMA probe_x CASCADE;
SQL

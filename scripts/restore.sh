#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into a database.
#
#   scripts/restore.sh kohtaamo-20261123T020000Z.dump postgres://postgres@db/kohtaamo_restore
#
# Creates the target database when it does not exist. Refuses a target that already
# has tables unless --replace is given (then its objects are dropped first). Runs in one
# transaction: a failed restore leaves nothing half-done. Prints the row count of every
# table afterwards so the restore can be compared with the source.
set -euo pipefail

replace=false
if [ "${1:-}" = "--replace" ]; then replace=true; shift; fi
dump="${1:?usage: restore.sh [--replace] DUMP_FILE TARGET_DATABASE_URL}"
target="${2:?usage: restore.sh [--replace] DUMP_FILE TARGET_DATABASE_URL}"
[ -f "$dump" ] || { echo "restore.sh: no such dump: $dump" >&2; exit 2; }

base="${target%/*}"
name="${target##*/}"
name="${name%%\?*}"
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "restore.sh: unusual database name: $name" >&2; exit 2; }

exists="$(psql --no-psqlrc -tA --dbname="$base/postgres" \
  -c "SELECT 1 FROM pg_database WHERE datname = '$name'")"
if [ "$exists" != "1" ]; then
  psql --no-psqlrc -q --dbname="$base/postgres" -c "CREATE DATABASE \"$name\""
fi

tables="$(psql --no-psqlrc -tA --dbname="$target" \
  -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
options=(--no-owner --no-privileges --single-transaction --exit-on-error)
if [ "$tables" != "0" ]; then
  if [ "$replace" != true ]; then
    echo "restore.sh: $name already has $tables tables; use --replace to overwrite" >&2
    exit 3
  fi
  options+=(--clean --if-exists)
fi

pg_restore "${options[@]}" --dbname="$target" "$dump"
psql --no-psqlrc -q --dbname="$target" -c "ANALYZE"

# Exact row counts per table, "table<TAB>rows", for comparing with the source.
psql --no-psqlrc -tA -F $'\t' --dbname="$target" <<'SQL'
SELECT table_name,
       (xpath('/row/c/text()',
              query_to_xml(format('SELECT count(*) AS c FROM public.%I', table_name),
                           false, true, '')))[1]::text::bigint
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
ORDER BY table_name;
SQL

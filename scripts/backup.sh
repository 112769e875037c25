#!/usr/bin/env bash
# Back up Kohtaamo: the PostgreSQL database (pg_dump custom format) and uploaded media.
#
#   DATABASE_URL=postgres://kohtaamo@db/kohtaamo scripts/backup.sh /var/backups/kohtaamo
#
# Writes <dir>/kohtaamo-<UTC time>.dump (and .media.tar.gz when MEDIA_ROOT has files),
# prints the dump's path on the last line, and deletes backups older than
# BACKUP_KEEP_DAYS (default 30). Restore with scripts/restore.sh.
set -euo pipefail

dest="${1:-${BACKUP_DIR:-./backups}}"
: "${DATABASE_URL:?set DATABASE_URL to the postgres:// URL of the database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: only PostgreSQL can be backed up this way (got ${DATABASE_URL%%:*})" >&2; exit 2 ;;
esac

mkdir -p "$dest"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="$dest/kohtaamo-$stamp.dump"

# Custom format: compressed, restorable table by table, consistent snapshot (one transaction).
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$dump.partial" \
  --dbname="$DATABASE_URL"
mv "$dump.partial" "$dump"
# A dump that pg_restore cannot list is no backup: check it now, not on the day we need it.
pg_restore --list "$dump" >/dev/null

media="${MEDIA_ROOT:-}"
if [ -n "$media" ] && [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  tar -C "$media" -czf "$dest/kohtaamo-$stamp.media.tar.gz" .
fi

keep="${BACKUP_KEEP_DAYS:-30}"
find "$dest" -maxdepth 1 -name 'kohtaamo-*' -type f -mtime "+$keep" -delete

echo "$dump"

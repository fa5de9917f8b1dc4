#!/usr/bin/env bash
# pg-bench.sh: the console's queries at size on PostgreSQL (docs/performance.md#postgresql).
# Starts a throwaway PostgreSQL (scripts/lib-pg.sh), seeds MESSAGES messages (10,000,000)
# and OFFLINE offline messages (200,000) over 20 sites (loadtest/seed), times the
# queries through the store (loadtest/consolebench -url) on the biggest and the
# smallest site, then through the HTTP API of a gateway run on that database
# (--database-url), and prints the tables' sizes. Everything is stopped and removed on
# exit; OUT keeps the JSON and logs. N runs per query (300).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib-net.sh
. scripts/lib-pg.sh
MESSAGES=${MESSAGES:-10000000}
OFFLINE=${OFFLINE:-200000}
N=${N:-300}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pg-bench.XXXXXX")
OUT=${OUT:-$TMP}
mkdir -p "$OUT"
GW=
cleanup() {
	trap - EXIT INT TERM
	[[ -n $GW ]] && kill "$GW" 2>/dev/null && wait "$GW" 2>/dev/null || true
	stop_postgres
	[[ $OUT == "$TMP" ]] || rm -rf "$TMP"
	[[ $OUT == "$TMP" ]] && rm -rf "$TMP/pg" "$TMP/gateway" "$TMP/seed" "$TMP/consolebench"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for c in gateway loadtest/seed loadtest/consolebench; do go build -o "$TMP/$(basename "$c")" "./${c/gateway/cmd/gateway}"; done
PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_postgres "$TMP/pg"
echo "load before seeding: $(uptime)"
"$TMP/seed" -url "$PG_URL" -messages "$MESSAGES" -offline "$OFFLINE" -owner-password "$PASSWORD" | tee "$OUT/seed.log"
small=$(psql "$PG_URL" -Atc "SELECT site_id FROM conversations GROUP BY site_id ORDER BY count(*) LIMIT 1")
echo "== through the store (load: $(uptime))"
"$TMP/consolebench" -url "$PG_URL" -n "$N" -json "$OUT/store-biggest.json"
"$TMP/consolebench" -url "$PG_URL" -n "$N" -site "$small" -json "$OUT/store-smallest.json"
port=$(free_port)
"$TMP/gateway" --database-url "$PG_URL" --addr "127.0.0.1:$port" --secret "$PASSWORD$PASSWORD" --log-level warn >"$OUT/gateway.log" 2>&1 &
GW=$!
wait_ready "http://127.0.0.1:$port"
echo "== through the HTTP API (load: $(uptime))"
"$TMP/consolebench" -api "http://127.0.0.1:$port" -password "$PASSWORD" -n "$N" -json "$OUT/api.json"
echo "== sizes"
psql "$PG_URL" -Atc "SELECT relname || ': ' || pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class
	WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND pg_total_relation_size(oid) > 1048576 ORDER BY pg_total_relation_size(oid) DESC"
echo "data directory (du): $(du -sh "$TMP/pg/data" | cut -f1)"
echo "load after: $(uptime)"

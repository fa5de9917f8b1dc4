#!/usr/bin/env bash
# store-size.sh: the memory and disk of MESSAGES messages (1,000,000) in PostgreSQL
# and in Redis (docs/performance.md#postgresql). Seeds the same history
# (loadtest/seed, OFFLINE offline messages, 20 sites) into a throwaway PostgreSQL
# (COPY) and a throwaway redis-server (through store/redis, appendonly, everysec
# while seeding), then prints per table pg_total_relation_size, the data
# directory's du, the server's memory (the Pss of its processes), and Redis's
# used_memory, RSS and RDB and rewritten AOF sizes. Everything started here is
# stopped and removed on exit. STORES="postgres redis" picks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib-net.sh
. scripts/lib-pg.sh
MESSAGES=${MESSAGES:-1000000}
OFFLINE=${OFFLINE:-$((MESSAGES / 50))}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/store-size.XXXXXX")
RPID=
cleanup() {
	trap - EXIT INT TERM
	[[ -n $RPID ]] && kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null || true
	stop_postgres
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
go build -o "$TMP/seed" ./loadtest/seed
pss_kib() { # pid...: the sum of their Pss in KiB
	local p sum=0 v
	for p in "$@"; do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
echo "load: $(uptime)"
for s in ${STORES:-postgres redis}; do
	case $s in
	postgres)
		start_postgres "$TMP/pg"
		"$TMP/seed" -url "$PG_URL" -messages "$MESSAGES" -offline "$OFFLINE" | tail -n 1
		psql "$PG_URL" -qc CHECKPOINT
		echo "== PostgreSQL: pg_total_relation_size per table (data, indexes, TOAST)"
		psql "$PG_URL" -Atc "SELECT relname || ': ' || pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class
			WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND pg_total_relation_size(oid) > 1048576 ORDER BY pg_total_relation_size(oid) DESC"
		echo "database: $(psql "$PG_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
		echo "data directory (du): $(du -sh "$TMP/pg/data" | cut -f1), of it pg_wal $(du -sh "$TMP/pg/data/pg_wal" | cut -f1)"
		pm=$(head -n 1 "$TMP/pg/data/postmaster.pid")
		echo "server memory (Pss of its $(($(pgrep -P "$pm" | wc -l) + 1)) processes, shared_buffers $(psql "$PG_URL" -Atc 'SHOW shared_buffers')): $(($(pss_kib "$pm" $(pgrep -P "$pm")) / 1024)) MiB"
		stop_postgres
		;;
	redis)
		RPORT=$(free_port)
		mkdir -p "$TMP/redis"
		redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$TMP/redis" --save '' --appendonly yes --appendfsync everysec \
			--daemonize no >"$TMP/redis.log" 2>&1 &
		RPID=$!
		for _ in $(seq 1 100); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
		"$TMP/seed" -url "redis://127.0.0.1:$RPORT/0" -messages "$MESSAGES" -offline "$OFFLINE" -workers 16 | tail -n 1
		redis-cli -p "$RPORT" bgrewriteaof >/dev/null
		while [[ $(redis-cli -p "$RPORT" info persistence | tr -d '\r' | awk -F: '/^aof_rewrite_in_progress/ {print $2}') != 0 ]]; do sleep 0.5; done
		redis-cli -p "$RPORT" save >/dev/null
		echo "== Redis"
		redis-cli -p "$RPORT" info memory | tr -d '\r' | grep -E '^(used_memory_human|used_memory_rss_human|used_memory_dataset):'
		echo "RDB (SAVE): $(du -sh "$TMP/redis/dump.rdb" | cut -f1); AOF after BGREWRITEAOF: $(du -sh "$TMP/redis/appendonlydir" | cut -f1)"
		kill "$RPID"
		wait "$RPID" 2>/dev/null || true
		RPID=
		;;
	*) echo "unknown store $s" >&2; exit 2 ;;
	esac
done
echo "load: $(uptime)"

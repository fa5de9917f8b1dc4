#!/usr/bin/env bash
# cluster-postgres-demo.sh: a two-node cluster on this machine with PostgreSQL as the
# store and Redis for the traffic between the nodes, everything on loopback in a
# temporary directory, stopped and removed on exit (Ctrl-C). Needs redis-server and
# PostgreSQL (apt-get install redis-server postgresql). NODES=3 for three nodes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/lib-net.sh
. scripts/lib-pg.sh

TMP=$(mktemp -d "${TMPDIR:-/tmp}/livedesk-pg.XXXXXX")
PIDS=()
cleanup() {
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	stop_postgres
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

go build -o "$TMP/gateway" ./cmd/gateway
start_postgres "$TMP/pg"
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$TMP" --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
PIDS+=($!)

export GATEWAY_DATABASE_URL=$PG_URL
export GATEWAY_REDIS_URL="redis://127.0.0.1:$RPORT/0"
export GATEWAY_SECRET="demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$TMP/gateway" migrate
for i in $(seq 1 "${NODES:-2}"); do
	port=$(free_port)
	extra=()
	[[ $i -eq 1 ]] && extra=(--demo)
	"$TMP/gateway" --addr "127.0.0.1:$port" --node-id "gw$i" "${extra[@]}" >"$TMP/gw$i.out" 2>"$TMP/gw$i.log" &
	PIDS+=($!)
	wait_ready "http://127.0.0.1:$port"
	echo "node gw$i: http://127.0.0.1:$port  (console: /console/, demo page: /)"
	[[ $i -eq 1 ]] && grep -i "password" "$TMP/gw1.out" || true
done
echo "PostgreSQL: $PG_URL"
echo "Redis:      $GATEWAY_REDIS_URL"
echo "Ctrl-C stops everything and removes $TMP"
wait "${PIDS[0]}"

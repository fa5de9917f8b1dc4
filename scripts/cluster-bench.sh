#!/usr/bin/env bash
# cluster-bench.sh: a two-node cluster on one Redis, on loopback, under loadtest/loadgen.
#   1. chat: visitors on node 1, agents on node 2, 2000 msg/s for 20 s (visitor -> agent
#      latency across nodes);
#   2. starts: 2000 visitors round robin on both nodes, chat.start as fast as possible.
# Everything (redis-server, both nodes, temp dir) is stopped and removed on exit.
# Environment: CHAT_RATE (2000), CHAT_DURATION (20s), CONVERSATIONS (250),
# START_VISITORS (2000), START_RATE (0 = max), REDIS_FSYNC (always; everysec shows
# what the fsync of every write costs), OUT (directory for logs and JSON), PROFILE_SECONDS
# (0; when set, a CPU profile of n1, the leader, is taken over that many seconds from
# the start of the starts part, into $OUT/leader-starts.pprof), STORE (redis; postgres:
# a throwaway PostgreSQL (scripts/lib-pg.sh) keeps the data, --database-url, and Redis
# carries only pub/sub, presence and the lease; PG_OPTIONS passes server settings).
set -euo pipefail

cd "$(dirname "$0")/.."
CHAT_RATE=${CHAT_RATE:-2000}
CHAT_DURATION=${CHAT_DURATION:-20s}
CONVERSATIONS=${CONVERSATIONS:-250}
START_VISITORS=${START_VISITORS:-2000}
START_RATE=${START_RATE:-0}

# Many sockets: raise the open-file limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
echo "ulimit -n: $(ulimit -n)"

command -v redis-server >/dev/null || { echo "redis-server is needed" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cluster-bench.XXXXXX")
OUT=${OUT:-$TMP}
mkdir -p "$OUT"
PIDS=()
cleanup() {
	local rc=$?
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill "${PIDS[i]}" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	stop_postgres
	if [[ $OUT != "$TMP" ]]; then rm -rf "$TMP"; else echo "logs and JSON kept in $TMP"; fi
	exit "$rc"
}
trap cleanup EXIT INT TERM

. scripts/lib-net.sh
. scripts/lib-pg.sh
STORE=${STORE:-redis}
DB=()
case $STORE in
redis) ;;
postgres) ;;
*) echo "STORE=$STORE: want redis or postgres" >&2; exit 2 ;;
esac

echo "building gateway and loadgen"
go build -o "$TMP/gateway" ./cmd/gateway
go build -o "$TMP/loadgen" ./loadtest/loadgen

RPORT=$(free_port)
mkdir -p "$TMP/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$TMP/redis" --save '' --appendonly yes --appendfsync "${REDIS_FSYNC:-always}" \
	--daemonize no >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
	redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break
	sleep 0.1
done
if [[ $STORE == postgres ]]; then
	start_postgres "$TMP/pg"
	DB=(--database-url "$PG_URL")
	echo "PostgreSQL $PG_URL"
fi

EMAIL=owner@example.com
PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SECRET="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PROFILE_SECONDS=${PROFILE_SECONDS:-0}
D1=$(free_port)
start_node() { # id port [debug port]
	local debug=()
	[[ -n ${3:-} ]] && debug=(--debug-addr "127.0.0.1:$3")
	"$TMP/gateway" --redis-url "redis://127.0.0.1:$RPORT/0" "${DB[@]}" --addr "127.0.0.1:$2" --node-id "$1" "${debug[@]}" \
		--owner-email "$EMAIL" --owner-password "$PASSWORD" --secret "$SECRET" --demo --log-level warn \
		--max-conns-per-addr 0 --max-sockets-per-addr 0 \
		>"$OUT/$1.log" 2>&1 &
	PIDS+=($!)
}
P1=$(free_port)
P2=$(free_port)
N1=http://127.0.0.1:$P1
N2=http://127.0.0.1:$P2
start_node n1 "$P1" "$D1"
wait_ready "$N1"
start_node n2 "$P2"
wait_ready "$N2"
echo "redis 127.0.0.1:$RPORT; n1 $N1; n2 $N2"

TOKEN=$(curl -fsS "$N1/api/v1/login" -H 'Content-Type: application/json' \
	-d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
SITE=$(curl -fsS "$N1/api/v1/sites" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sites"][0]["id"])')
echo "demo site $SITE"

echo "+ loadgen -scenario chat -visitor-urls $N1 -agent-urls $N2 -site $SITE -token <owner token> -rate $CHAT_RATE -duration $CHAT_DURATION -conversations $CONVERSATIONS"
"$TMP/loadgen" -scenario chat -visitor-urls "$N1" -agent-urls "$N2" -site "$SITE" -token "$TOKEN" \
	-rate "$CHAT_RATE" -duration "$CHAT_DURATION" -conversations "$CONVERSATIONS" -json "$OUT/chat.json"
if ((PROFILE_SECONDS > 0)); then
	curl -fsS -o "$OUT/leader-starts.pprof" "http://127.0.0.1:$D1/debug/pprof/profile?seconds=$PROFILE_SECONDS" &
	PROF_PID=$!
fi
echo "+ loadgen -scenario starts -visitor-urls $N1,$N2 -agent-urls $N1,$N2 -site $SITE -token <owner token> -visitors $START_VISITORS -rate $START_RATE"
"$TMP/loadgen" -scenario starts -visitor-urls "$N1,$N2" -agent-urls "$N1,$N2" -site "$SITE" -token "$TOKEN" \
	-visitors "$START_VISITORS" -rate "$START_RATE" -json "$OUT/starts.json"
if ((PROFILE_SECONDS > 0)); then
	wait "$PROF_PID" && echo "leader CPU profile: $OUT/leader-starts.pprof (go tool pprof -top $TMP/gateway $OUT/leader-starts.pprof)"
fi
echo "JSON: $OUT/chat.json $OUT/starts.json"
for n in n1 n2; do
	if grep -qiE 'panic|error|fatal' "$OUT/$n.log"; then
		echo "--- $n log (errors) ---"
		grep -iE 'panic|error|fatal' "$OUT/$n.log" | head -20
	fi
done

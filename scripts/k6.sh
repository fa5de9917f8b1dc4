#!/usr/bin/env bash
# k6.sh: the k6 load tests (loadtest/k6) against a gateway of their own on loopback.
#   1. builds k6 v1.8.1 with `go install` when it is missing (a few minutes, once);
#   2. builds and starts a gateway (--demo, embedded store in a temp dir, free port);
#   3. runs loadtest/k6/$SCENARIO.js with the demo site and the owner account;
#   4. exits with k6's status: non-zero when a threshold fails (99) or k6 fails.
# Everything (gateway, temp dir) is stopped and removed on exit.
# Environment: SCENARIO (chat | widget | console; default chat), VUS (visitors, 50),
# AGENTS (5), DURATION (30s), and any other variable of loadtest/README.md (RAMP,
# GRACE, MAX_CHATS, MESSAGES, P99_MS...), passed through to k6. K6 (path of a k6
# binary), OUT (a directory where summary.json, gateway.log and k6.time are kept; by
# default they go with the temp dir), K6_ARGS (more k6 run flags).
set -euo pipefail

cd "$(dirname "$0")/.."
SCENARIO=${SCENARIO:-chat}
VUS=${VUS:-50}
AGENTS=${AGENTS:-5}
DURATION=${DURATION:-30s}
K6_VERSION=v1.8.1

case $SCENARIO in
chat | widget | console) ;;
*)
	echo "SCENARIO=$SCENARIO: want chat, widget or console" >&2
	exit 2
	;;
esac

# Many sockets: raise the open-file limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true

find_k6() {
	if [[ -n ${K6:-} ]]; then
		echo "$K6"
		return
	fi
	local bin
	bin=$(go env GOBIN)
	[[ -n $bin ]] || bin="$(go env GOPATH | cut -d: -f1)/bin"
	if [[ -x $bin/k6 ]]; then
		echo "$bin/k6"
	elif command -v k6 >/dev/null; then
		command -v k6
	else
		echo "k6 not found: go install go.k6.io/k6@$K6_VERSION (a few minutes the first time)" >&2
		go install "go.k6.io/k6@$K6_VERSION" >&2
		echo "$bin/k6"
	fi
}
K6=$(find_k6)
"$K6" version

TMP=$(mktemp -d "${TMPDIR:-/tmp}/k6-run.XXXXXX")
OUT=${OUT:-$TMP}
mkdir -p "$OUT"
GATEWAY_PID=
cleanup() {
	local rc=$?
	if [[ -n $GATEWAY_PID ]]; then
		kill "$GATEWAY_PID" 2>/dev/null || true
		wait "$GATEWAY_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
	[[ $OUT == "$TMP" ]] || echo "summary.json, gateway.log and k6.time kept in $OUT"
	exit "$rc"
}
trap cleanup EXIT INT TERM

. scripts/lib-net.sh

echo "building gateway"
go build -o "$TMP/gateway" ./cmd/gateway

EMAIL=owner@example.com
PASSWORD="k6-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
"$TMP/gateway" --demo --addr "127.0.0.1:$PORT" --data-dir "$TMP/data" \
	--owner-email "$EMAIL" --owner-password "$PASSWORD" --log-level warn \
	--max-conns-per-addr 0 --max-sockets-per-addr 0 >"$OUT/gateway.log" 2>&1 &
GATEWAY_PID=$!
wait_ready "$BASE"

LOGIN=$(curl -fsS "$BASE/api/v1/login" -H 'Content-Type: application/json' \
	-d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")
TOKEN=$(jq -r .token <<<"$LOGIN")
# The owner serves every site and is "online" by default; after a start every agent
# keeps the 15 s disconnect grace, so the demo site would look online (and queue chats
# nobody takes) for 15 s. Away, the owner leaves the sites to the k6 agents.
curl -fsS -X PUT "$BASE/api/v1/agents/$(jq -r .agent.id <<<"$LOGIN")/presence" -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' -d '{"status":"away"}' >/dev/null
SITE=$(curl -fsS "$BASE/api/v1/sites" -H "Authorization: Bearer $TOKEN" |
	jq -r '.sites as $s | ($s | map(select(.name == "Demo site"))) + $s | .[0].id')
echo "gateway $BASE (pid $GATEWAY_PID), demo site $SITE"

# k6 reads the rest of the configuration from the environment (__ENV).
export BASE_URL=$BASE SITE OWNER_EMAIL=$EMAIL OWNER_PASSWORD=$PASSWORD VUS AGENTS DURATION
export K6_NO_USAGE_REPORT=true
read -r -a EXTRA <<<"${K6_ARGS:-}"
RUN=("$K6" run --quiet --address "" --no-usage-report --summary-export "$OUT/summary.json" "${EXTRA[@]}" "loadtest/k6/$SCENARIO.js")
echo "+ k6 run loadtest/k6/$SCENARIO.js (VUS=$VUS AGENTS=$AGENTS DURATION=$DURATION)"
rc=0
if [[ -x /usr/bin/time ]]; then
	/usr/bin/time -v -o "$OUT/k6.time" "${RUN[@]}" || rc=$?
else
	"${RUN[@]}" || rc=$?
fi

gateway_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$GATEWAY_PID/status" 2>/dev/null || true)
if [[ -f $OUT/k6.time ]]; then
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/k6.time")
	cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$OUT/k6.time")
	vus=$VUS
	[[ $SCENARIO == widget ]] || vus=$((VUS + AGENTS))
	[[ $SCENARIO != console ]] || vus=$AGENTS
	echo "k6 peak RSS: $((rss / 1024)) MiB for $vus VUs ($((rss / vus)) KiB per VU), CPU $cpu"
fi
[[ -z $gateway_hwm ]] || echo "gateway peak RSS: $((gateway_hwm / 1024)) MiB"
if grep -qiE 'panic|fatal|"level":"error"|\berror\b' "$OUT/gateway.log"; then
	echo "--- gateway log (errors) ---"
	grep -iE 'panic|fatal|error' "$OUT/gateway.log" | head -20
fi
if [[ $rc -ne 0 ]]; then
	echo "k6 exited $rc (99: a threshold failed)" >&2
fi
exit "$rc"

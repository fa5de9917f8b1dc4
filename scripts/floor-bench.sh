#!/usr/bin/env bash
# floor-bench.sh: the floor server (../shared/floor: coder/websocket sockets and a
# broadcast, no gateway logic) and then one gateway (embedded store, as in
# node-bench.sh) through the same phases with the same VISITORS, in one invocation,
# so that each gateway figure has the floor's beside it from the same run:
#   idle    RSS KiB per socket (the floor's read from /proc, it has no /metrics)
#   fanout  LAST frame: the floor's POST /broadcast (-flip broadcast) beside the
#           gateway's FLIPS (mode, boundary)
# Environment: as node-bench.sh (VISITORS, LOADGENS, RATE, IDLE_HOLD, PHASES
# "idle fanout", FLIPS, FANOUT_WAIT, OUT), and FLOOR_DIR (../shared/floor).
# The 18,000 figures: VISITORS=18000 PHASES=idle ./scripts/floor-bench.sh, then
# VISITORS=18000 PHASES=fanout ./scripts/floor-bench.sh.
set -euo pipefail

VISITORS=${VISITORS:-2000}
STORM_VISITORS=$VISITORS
LOADGENS=${LOADGENS:-1}
RATE=${RATE:-2000}
IDLE_HOLD=${IDLE_HOLD:-60}
PHASES=${PHASES:-idle fanout}
FLIPS=${FLIPS:-mode boundary}
FLOOR_DIR=$(cd "${FLOOR_DIR:-$(dirname "$0")/../../shared/floor}" && pwd)

. "$(dirname "$0")/bench-lib.sh"
bench_init floor-bench
echo "building the floor server from $FLOOR_DIR"
(cd "$FLOOR_DIR" && go build -o "$TMP/floor" .)

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# floor_phases: the floor on its own port, idle (RSS sampled before the connects
# and 5 s before the end of the hold) and fanout with -flip broadcast.
floor_phases() {
	local port pid rss0 rss1 sampler f
	port=$(free_port)
	"$TMP/floor" -addr "127.0.0.1:$port" >"$OUT/floor.log" 2>&1 &
	pid=$!
	BENCH_PIDS+=("$pid")
	for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
	NODE_URLS=("http://127.0.0.1:$port")
	SITE=floor TOKEN=no-token
	check_split "$VISITORS"
	echo "floor http://127.0.0.1:$port (pid $pid)"
	for phase in $PHASES; do
		case $phase in
		idle)
			rss0=$(rss_kib "$pid")
			( wait_line "$OUT/idle-0.log" "connected in" 120 && sleep $((IDLE_HOLD - 5)) && rss_kib "$pid" >"$OUT/floor-rss.txt" ) &
			sampler=$!
			phase_idle "$VISITORS"
			wait "$sampler"
			rss1=$(cat "$OUT/floor-rss.txt")
			FLOOR_IDLE=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); h=s['held']; print(f\"floor idle  {h}/{s['visitors']} sockets held; RSS {int(sys.argv[3])/1024:.1f} MiB, {(int(sys.argv[3])-int(sys.argv[2]))/h:.2f} KiB/socket\")" "$OUT/idle.json" "$rss0" "$rss1")
			for f in "$OUT"/idle*.json "$OUT"/idle-*.log; do mv "$f" "$OUT/floor-$(basename "$f")"; done
			;;
		fanout)
			phase_fanout "$VISITORS" broadcast
			FLOOR_FANOUT=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); d=s['delay']; print(f\"floor fanout broadcast: LAST frame {d['max_ms']} ms, p50 {d['p50_ms']} p99 {d['p99_ms']} ms; {s['received']}/{s['measured']} got it, {s['missing']} missing\")" "$OUT/fanout-broadcast.json")
			;;
		esac
		sleep 3
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	NODE_URLS=()
}

FLOOR_IDLE="" FLOOR_FANOUT=""
floor_phases
start_node n1 --data-dir "$TMP/data"
login_and_site
run_phases
echo
echo "######## the floor, same run ########"
[[ -n $FLOOR_IDLE ]] && echo "$FLOOR_IDLE"
[[ -n $FLOOR_FANOUT ]] && echo "$FLOOR_FANOUT"
exit 0

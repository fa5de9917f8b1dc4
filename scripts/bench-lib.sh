#!/usr/bin/env bash
# bench-lib.sh: shared by scale-bench.sh and node-bench.sh (source it, do not run it).
# Starts redis-server and gateway nodes on loopback, runs load generator processes in
# parallel, merges their JSON; everything started here is stopped and the temporary
# directory removed on exit (kept when OUT is not set, for the logs).

BENCH_PIDS=() # long-lived processes: redis, nodes
LG_PIDS=()    # load generators of the running phase
NODE_URLS=()
DEBUG_URLS=() # with PROFILE set: each node's pprof listener

bench_init() { # name
	cd "$(dirname "${BASH_SOURCE[0]}")/.."
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	OUT=${OUT:-$TMP}
	mkdir -p "$OUT"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	echo "open-file limit of this shell: $(ulimit -n); logs and JSON in $OUT"
	echo "building gateway and loadgen"
	go build -o "$TMP/gateway" ./cmd/gateway
	go build -o "$TMP/loadgen" ./loadtest/loadgen
	LG=$TMP/loadgen
	EMAIL=owner@example.com
	PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	SECRET="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
}

bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	for p in "${LG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do kill "${BENCH_PIDS[i]}" 2>/dev/null || true; done
	for p in "${LG_PIDS[@]}" "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	if [[ $OUT != "$TMP" ]]; then rm -rf "$TMP"; else rm -f "$TMP/gateway" "$TMP/loadgen"; rm -rf "$TMP/redis" "$TMP/data"; fi
	exit "$rc"
}

. "$(dirname "${BASH_SOURCE[0]}")/lib-net.sh"

start_redis() {
	RPORT=$(free_port)
	mkdir -p "$TMP/redis"
	redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$TMP/redis" --save '' --appendonly yes \
		--appendfsync "${REDIS_FSYNC:-always}" --maxclients 10000 --latency-monitor-threshold 50 --daemonize no >"$OUT/redis.log" 2>&1 &
	BENCH_PIDS+=($!)
	# Redis has a machine of its own in production; here its one thread shares two
	# cores with every node and load generator (two dozen busy threads), and at the
	# default priority gets too little of them to answer in time. REDIS_NICE=0 to
	# measure without.
	renice -n "${REDIS_NICE:--10}" -p $! >/dev/null 2>&1 || echo "could not renice redis-server to ${REDIS_NICE:--10}" >&2
	for _ in $(seq 1 100); do
		redis-cli -p "$RPORT" ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "redis-server did not start" >&2
	return 1
}

start_node() { # id [store flags...]
	local id=$1 port dbg=()
	shift
	port=$(free_port)
	if [[ -n ${PROFILE:-} ]]; then
		local dport
		dport=$(free_port)
		dbg=(--debug-addr "127.0.0.1:$dport")
		DEBUG_URLS+=("http://127.0.0.1:$dport")
	fi
	"$TMP/gateway" "$@" "${dbg[@]}" --addr "127.0.0.1:$port" --owner-email "$EMAIL" --owner-password "$PASSWORD" \
		--secret "$SECRET" --log-level info --max-conns-per-addr 0 --max-sockets-per-addr 0 >"$OUT/$id.out" 2>"$OUT/$id.log" &
	BENCH_PIDS+=($!)
	wait_ready "http://127.0.0.1:$port"
	NODE_URLS+=("http://127.0.0.1:$port")
	echo "node $id http://127.0.0.1:$port: $(grep -o 'open-file limit.*' "$OUT/$id.log" | head -1)"
}

# login_and_site: TOKEN (owner) and SITE (a new site, always open, mode auto).
login_and_site() {
	local n1=${NODE_URLS[0]}
	TOKEN=$(curl -fsS "$n1/api/v1/login" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
	SITE=$(curl -fsS "$n1/api/v1/sites" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d '{"name":"scale bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	echo "site $SITE"
}

# rotated_urls k: the node URLs, comma-separated, starting at node k mod NODES, so
# that every process's first sockets do not all land on node 1.
rotated_urls() {
	local k=$1 n=${#NODE_URLS[@]} out="" i
	for ((i = 0; i < n; i++)); do out+="${out:+,}${NODE_URLS[(k + i) % n]}"; done
	echo "$out"
}

# share total k m: process k's part of total split over m processes.
share() { echo $(($1 / $3 + ($2 < $1 % $3 ? 1 : 0))); }

now_ms() { date +%s%3N; }

# start_loadgen name k visitors [flags...]: one load generator in the background
# (source addresses 127.(10+k).0.0/16, its own node order), bounded in time.
start_loadgen() {
	local name=$1 k=$2 visitors=$3
	shift 3
	echo "+ loadgen $* -visitors $visitors -src 127.$((10 + k)).0.0/16 -json $OUT/$name-$k.json" | sed "s/$TOKEN/<owner token>/g" >>"$OUT/commands.txt"
	timeout --kill-after=10 "${LOADGEN_LIMIT:-900}" "$LG" "$@" -site "$SITE" -visitor-urls "$(rotated_urls "$k")" \
		-visitors "$visitors" -src "127.$((10 + k)).0.0/16" -json "$OUT/$name-$k.json" >"$OUT/$name-$k.log" 2>&1 &
	LG_PIDS+=($!)
}

# wait_loadgens name: waits for the phase's processes; fails when any failed.
wait_loadgens() {
	local name=$1 p rc=0
	for p in "${LG_PIDS[@]}"; do wait "$p" || rc=1; done
	LG_PIDS=()
	if [[ $rc != 0 ]]; then
		echo "$name: a load generator failed:" >&2
		tail -n 5 "$OUT/$name"-*.log >&2
		return 1
	fi
}

# wait_line file pattern seconds: waits until file has a line matching pattern.
wait_line() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no \"$2\" in $1 within $3 s" >&2
	tail -n 5 "$1" >&2
	return 1
}

# profile_at name at secs: with PROFILE set, in the background from the instant at
# (Unix ms): a CPU profile of every node for secs seconds ($OUT/name-nK.cpu.pb) and
# Redis's command statistics and CPU before and after ($OUT/name-redis.txt). The
# storm's load generators profile their whole run ($OUT/storm-lgK.cpu.pb).
profile_at() {
	[[ -n ${PROFILE:-} ]] || return 0
	local name=$1 at=$2 secs=$3
	(
		sleep "$(python3 -c "import sys,time; print(max(0, int(sys.argv[1])/1000 - time.time()))" "$at")"
		redis-cli -p "$RPORT" info commandstats >"$OUT/$name-redis.txt"
		redis-cli -p "$RPORT" info cpu >>"$OUT/$name-redis.txt"
		local i
		for i in "${!DEBUG_URLS[@]}"; do
			curl -fsS -o "$OUT/$name-n$((i + 1)).cpu.pb" "${DEBUG_URLS[i]}/debug/pprof/profile?seconds=$secs" &
		done
		wait
		echo "==== after $secs s" >>"$OUT/$name-redis.txt"
		redis-cli -p "$RPORT" info commandstats >>"$OUT/$name-redis.txt"
		redis-cli -p "$RPORT" info cpu >>"$OUT/$name-redis.txt"
		echo "==== latency events over 50 ms (event, last, latest ms, max ms)" >>"$OUT/$name-redis.txt"
		redis-cli -p "$RPORT" latency latest >>"$OUT/$name-redis.txt"
	) &
	LG_PIDS+=($!)
}

merge_phase() { # name
	echo
	echo "######## $1 (merged: $(ls "$OUT/$1"-*.json | wc -l) process(es)) ########"
	"$LG" -merge -json "$OUT/$1.json" "$OUT/$1"-*.json
}

# Phases. Globals: VISITORS (this phase's total), LOADGENS, RATE (new sockets/s in
# total), STORM_JITTER, IDLE_HOLD (seconds).

connect_secs() { # visitors: seconds for the processes to open them at RATE, with margin
	python3 -c "import math,sys; v,r=map(float,sys.argv[1:]); print(math.ceil(v/r*1.3)+10)" "$1" "$RATE"
}

per_rate() { python3 -c "import sys; print(float(sys.argv[1])/float(sys.argv[2]))" "$RATE" "$LOADGENS"; }

phase_idle() { # visitors
	local total=$1 k at
	at=$(($(now_ms) + ($(connect_secs "$total") + IDLE_HOLD) * 1000))
	echo "== idle: $total visitors on ${#NODE_URLS[@]} node(s) from $LOADGENS process(es), held until $at (Unix ms)"
	for ((k = 0; k < LOADGENS; k++)); do
		start_loadgen idle "$k" "$(share "$total" "$k" "$LOADGENS")" -scenario idle -connect-rate "$(per_rate)" -at "$at"
	done
	wait_loadgens idle
	merge_phase idle
}

phase_fanout() { # visitors flip
	local total=$1 flip=$2 name=fanout-$2 k at lead
	lead=$(($(connect_secs "$total") + 10))
	if [[ $flip == boundary ]]; then
		at=$(python3 -c "import sys,time,datetime as d; t=int(time.time())+int(sys.argv[1]); t=(t+59)//60*60; print(d.datetime.fromtimestamp(t,d.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$lead")
	else
		at=$(($(now_ms) + lead * 1000))
	fi
	echo "== fanout ($flip flip at $at): $total visitors on ${#NODE_URLS[@]} node(s) from $LOADGENS process(es)"
	start_loadgen "$name" 0 "$(share "$total" 0 "$LOADGENS")" -scenario fanout -flip "$flip" -flipper -token "$TOKEN" \
		-connect-rate "$(per_rate)" -at "$at" -wait "${FANOUT_WAIT:-10s}"
	wait_line "$OUT/$name-0.log" "fanout: site ready" 120
	for ((k = 1; k < LOADGENS; k++)); do
		start_loadgen "$name" "$k" "$(share "$total" "$k" "$LOADGENS")" -scenario fanout -flip "$flip" \
			-connect-rate "$(per_rate)" -at "$at" -wait "${FANOUT_WAIT:-10s}"
	done
	wait_loadgens "$name"
	merge_phase "$name"
}

phase_storm() { # visitors
	local total=$1 k at
	at=$(($(now_ms) + $(connect_secs "$total") * 1000))
	echo "== storm at $at (Unix ms): $total visitors on ${#NODE_URLS[@]} node(s) from $LOADGENS process(es)"
	for ((k = 0; k < LOADGENS; k++)); do
		start_loadgen storm "$k" "$(share "$total" "$k" "$LOADGENS")" -scenario storm -connect-rate "$(per_rate)" \
			-at "$at" -wait "${STORM_WAIT:-60s}" -reconnect-jitter "${STORM_JITTER:-0s}" \
			${PROFILE:+-cpuprofile "$OUT/storm-lg$k.cpu.pb"}
	done
	profile_at storm "$at" "${PROFILE_SECS:-10}"
	wait_loadgens storm
	merge_phase storm
}

# check_split total: every node and every process under the 20,000 open files.
check_split() {
	local total=$1
	if (($(share "$total" 0 "${#NODE_URLS[@]}") > 19000)); then
		echo "$total visitors on ${#NODE_URLS[@]} node(s) is over 19,000 sockets a node: raise NODES" >&2
		return 1
	fi
	if (($(share "$total" 0 "$LOADGENS") > 19800)); then
		echo "$total visitors from $LOADGENS process(es) is over 19,800 sockets a process: raise LOADGENS" >&2
		return 1
	fi
}

# bars: one line per figure from the merged JSON files that exist.
print_bars() {
	echo
	echo "######## figures ########"
	python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(n):
    p = os.path.join(out, n + ".json")
    return json.load(open(p)) if os.path.exists(p) else None
s = load("idle")
if s:
    print(f"idle    {s['held']}/{s['visitors']} sockets held on {len(s['nodes'])} node(s); connect p99 {s['connect_time']['p99_ms']} ms; failures {s['connect_failures']}; closes {s['visitor_closes']}")
    for n in s["nodes"]:
        a = n.get("after") or {}
        print(f"        {n['url']}: {a.get('ws_sockets', 0):.0f} sockets, RSS {a.get('rss_bytes', 0)/2**20:.1f} MiB, {n.get('kib_per_socket', 0)} KiB/socket, {a.get('open_fds', 0):.0f} fds")
for flip in ("mode", "boundary"):
    s = load("fanout-" + flip)
    if s:
        d, e = s["delay"], s["early"]
        print(f"fanout  {flip}: LAST frame {d['max_ms']} ms, p50 {d['p50_ms']} p99 {d['p99_ms']} ms; {s['received']}/{s['measured']} got it, {s['missing']} missing, {e['count']} early")
s = load("storm")
if s:
    b = s["back_time"]
    allb = f"{s['all_back_s']} s" if s["all_back_s"] >= 0 else "NOT all back"
    print(f"storm   {s['back']}/{s['reconnecting']} back, ALL back {allb}; p50 {b['p50_ms']} p99 {b['p99_ms']} ms; resumed {s['resumed']}, new identity {s['new_identity']}, retries {s['retries']} {s['retry_reasons']}")
PY
}

print_node_errors() {
	local f
	for f in "$OUT"/n*.log; do
		if grep -qE 'panic|ERROR|FATAL|fatal' "$f"; then
			echo "--- $(basename "$f") (errors) ---"
			grep -E 'panic|ERROR|FATAL|fatal' "$f" | head -20
		fi
	done
}

# run_phases checks the split, runs each phase of PHASES (idle, fanout for each of
# FLIPS, storm) and prints the figures.
run_phases() {
	check_split "$VISITORS"
	check_split "$STORM_VISITORS"
	for phase in $PHASES; do
		case $phase in
		idle) phase_idle "$VISITORS" ;;
		fanout) for flip in $FLIPS; do phase_fanout "$VISITORS" "$flip"; done ;;
		storm) phase_storm "$STORM_VISITORS" ;;
		*) echo "unknown phase $phase" >&2; exit 2 ;;
		esac
		sleep 3 # the nodes let go of the last phase's sockets
	done
	print_bars
	print_node_errors
	echo "commands: $OUT/commands.txt"
}

#!/usr/bin/env bash
# departments-bench.sh: the departments figures of issue 15 (docs/performance.md,
# "Departments (issue 15)"): two gateway nodes in cluster mode on one Redis, on
# loopback, and in each round, each phase on a site of its own:
#   starts       the single-department starts of cluster-bench.sh: VISITORS visitors
#                round robin on both nodes, chat.start at START_RATE, on a site
#                without departments;
#   baseline     loadgen -scenario departments -departments 0: the same visitors
#                and chat.start on a site without departments, then messages at
#                MSG_RATE for DURATION while TRANSFER_SHARE of the chats is
#                transferred to an agent (on the other node when it can be);
#   departments  the same with DEPARTMENTS departments (one 24/7, the others with
#                their own hours in other zones, open now), agents spread over them
#                (some in two), chats spread over them, transfers to another
#                department or agent.
# Agents and visitors connect round robin to both nodes, so a transfer's new agent
# is on the other node about half the time (the figures split it). The box's load
# (uptime) is taken before each phase and printed beside its figures.
# Everything started is stopped on exit.
#
# Environment: VISITORS (2000), START_RATE (0 = as fast as possible), DEPARTMENTS
# (5), MSG_RATE (500 msg/s), DURATION (20s), TRANSFER_SHARE (0.05), ROUNDS (1),
# PHASES ("starts baseline departments"), REDIS_FSYNC (always), OUT (keep logs,
# JSON and the commands run there), PROFILE (set: a CPU profile of each node over
# the first PROFILE_SECS (10) seconds of each phase, $OUT/<phase>-<round>-nK.cpu.pb;
# with DURATION=2s that is the set-up and the starts).
set -euo pipefail

VISITORS=${VISITORS:-2000}
START_RATE=${START_RATE:-0}
DEPARTMENTS=${DEPARTMENTS:-5}
MSG_RATE=${MSG_RATE:-500}
DURATION=${DURATION:-20s}
TRANSFER_SHARE=${TRANSFER_SHARE:-0.05}
ROUNDS=${ROUNDS:-1}
PHASES=${PHASES:-starts baseline departments}

. "$(dirname "$0")/bench-lib.sh"
command -v redis-server >/dev/null || { echo "redis-server is needed" >&2; exit 1; }
bench_init departments-bench
start_redis
echo "redis 127.0.0.1:$RPORT"
for i in 1 2; do
	start_node "n$i" --redis-url "redis://127.0.0.1:$RPORT/0" --node-id "n$i"
done
URLS="${NODE_URLS[0]},${NODE_URLS[1]}"

# run_phase name round: one load generator run on a new site (login_and_site),
# with the box's load before it in $OUT/<name>-<round>.load.
run_phase() {
	local name=$1 round=$2 args=()
	case $name in
	starts) args=(-scenario starts -rate "$START_RATE") ;;
	baseline) args=(-scenario departments -departments 0 -rate "$START_RATE" -msg-rate "$MSG_RATE" -duration "$DURATION" -transfer-share "$TRANSFER_SHARE") ;;
	departments) args=(-scenario departments -departments "$DEPARTMENTS" -rate "$START_RATE" -msg-rate "$MSG_RATE" -duration "$DURATION" -transfer-share "$TRANSFER_SHARE") ;;
	*) echo "unknown phase $name" >&2; exit 2 ;;
	esac
	login_and_site
	uptime >"$OUT/$name-$round.load"
	args+=(-visitor-urls "$URLS" -agent-urls "$URLS" -site "$SITE" -token "$TOKEN" -visitors "$VISITORS" -json "$OUT/$name-$round.json")
	echo "== $name, round $round; load before: $(cat "$OUT/$name-$round.load")"
	echo "+ loadgen ${args[*]}" | sed "s/$TOKEN/<owner token>/g" | tee -a "$OUT/commands.txt"
	local i prof=()
	for i in "${!DEBUG_URLS[@]}"; do
		curl -fsS -o "$OUT/$name-$round-n$((i + 1)).cpu.pb" "${DEBUG_URLS[i]}/debug/pprof/profile?seconds=${PROFILE_SECS:-10}" &
		prof+=($!)
	done
	timeout --kill-after=10 "${LOADGEN_LIMIT:-600}" "$LG" "${args[@]}" 2>&1 | tee "$OUT/$name-$round.log"
	for i in "${prof[@]}"; do wait "$i" || true; done # the profiles (not the nodes: plain wait would)
	sleep 3 # the nodes let go of the phase's sockets
}

for ((r = 1; r <= ROUNDS; r++)); do
	for phase in $PHASES; do run_phase "$phase" "$r"; done
done

echo
echo "######## figures ########"
python3 - "$OUT" "$ROUNDS" "$PHASES" <<'PY'
import json, os, sys
out, rounds, phases = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
for r in range(1, rounds + 1):
    for name in phases:
        p = os.path.join(out, f"{name}-{r}.json")
        if not os.path.exists(p):
            print(f"{name} round {r}: no JSON (failed?)")
            continue
        s = json.load(open(p))
        load = open(os.path.join(out, f"{name}-{r}.load")).read().strip().split("load average: ")[-1]
        if name == "starts":
            print(f"round {r} starts       {s['starts_per_s']:.0f} starts/s, p99 {s['latency']['p99_ms']} ms, {s['answered']}/{s['visitors']} answered {s['outcomes']}  [load {load}]")
            continue
        st, m, t = s["starts"], s["messages"], s["transfers"]
        label = f"{len(s['departments'])} departments" if s["departments"] else "no departments"
        print(f"round {r} {name:<12} ({label}) {st['starts_per_s']:.0f} starts/s, p99 {st['latency']['p99_ms']} ms, {st['answered']}/{st['sent']} answered {st['outcomes']}  [load {load}]")
        print(f"        messages   {m['sent']} sent, p99 {m['latency_visitor_to_agent']['p99_ms']} ms, LOST {m['lost']}, duplicates {m['duplicates']}")
        print(f"        transfers  {t['assigned']}/{t['planned']} assigned {t['outcomes']}; p99 {t['latency']['p99_ms']} ms, across nodes p99 {t['latency_cross_node']['p99_ms']} ms (n={t['latency_cross_node']['count']}), same node p99 {t['latency_same_node']['p99_ms']} ms (n={t['latency_same_node']['count']})")
PY
print_node_errors
echo "commands: $OUT/commands.txt"

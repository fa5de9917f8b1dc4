#!/usr/bin/env bash
# scale-bench.sh: NODES gateway nodes in cluster mode on one redis-server, and
# LOADGENS load generator processes, all on loopback, through the phases:
#   idle     VISITORS sockets opened at RATE/s in total, held IDLE_HOLD seconds
#            (a ping round is 25 s): connect times, sockets held, RSS/fds per node;
#   fanout   VISITORS sockets, then a status flip (FLIPS: mode = PUT mode offline at
#            an instant; boundary = the hours close at a whole minute): time from
#            the instant to each visitor's status frame, the LAST frame, early frames;
#   storm    STORM_VISITORS sockets drop at an instant and reconnect at once with a
#            resume: time until each and all are back, retries.
# Every phase's JSON (one per process) is merged (loadgen -merge) and the figures
# printed. Everything started is stopped on exit.
#
# Environment: VISITORS (2000), STORM_VISITORS (VISITORS, at most 50000), NODES (2),
# LOADGENS (2), RATE (3000 new sockets/s in total), IDLE_HOLD (60), PHASES
# ("idle fanout storm"), FLIPS ("mode boundary"), FANOUT_WAIT (10s), STORM_WAIT (60s),
# STORM_JITTER (0s: all at once; the widget spreads over 500ms), REDIS_FSYNC (always),
# OUT (keep logs and JSON there), PROFILE (set: CPU profiles of every node and Redis
# command statistics over the first PROFILE_SECS (10) seconds of the storm).
# Full scale: VISITORS=100000 NODES=6 LOADGENS=6 STORM_VISITORS=50000 ./scripts/scale-bench.sh
set -euo pipefail

VISITORS=${VISITORS:-2000}
STORM_VISITORS=${STORM_VISITORS:-$((VISITORS < 50000 ? VISITORS : 50000))}
NODES=${NODES:-2}
LOADGENS=${LOADGENS:-2}
RATE=${RATE:-3000}
IDLE_HOLD=${IDLE_HOLD:-60}
PHASES=${PHASES:-idle fanout storm}
FLIPS=${FLIPS:-mode boundary}

. "$(dirname "$0")/bench-lib.sh"
command -v redis-server >/dev/null || { echo "redis-server is needed" >&2; exit 1; }
bench_init scale-bench
start_redis
echo "redis 127.0.0.1:$RPORT"
for ((i = 1; i <= NODES; i++)); do
	start_node "n$i" --redis-url "redis://127.0.0.1:$RPORT/0" --node-id "n$i"
done
login_and_site
run_phases

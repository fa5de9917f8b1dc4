#!/usr/bin/env bash
# node-bench.sh: the one-node figures: a single gateway (embedded store, no Redis)
# and LOADGENS load generator processes on loopback, through the same phases as
# scale-bench.sh (idle, fanout mode and boundary, storm); merged JSON and figures.
# Everything started is stopped on exit.
#
# Environment: VISITORS (2000; the bars use 18000), LOADGENS (1), RATE (2000 new
# sockets/s in total), IDLE_HOLD (60), PHASES ("idle fanout storm"), FLIPS
# ("mode boundary"), STORM_VISITORS (VISITORS), FANOUT_WAIT, STORM_WAIT, STORM_JITTER,
# OUT, PROFILE and PROFILE_SECS (as in scale-bench.sh).
# The bars: VISITORS=18000 ./scripts/node-bench.sh
set -euo pipefail

VISITORS=${VISITORS:-2000}
STORM_VISITORS=${STORM_VISITORS:-$VISITORS}
LOADGENS=${LOADGENS:-1}
RATE=${RATE:-2000}
IDLE_HOLD=${IDLE_HOLD:-60}
PHASES=${PHASES:-idle fanout storm}
FLIPS=${FLIPS:-mode boundary}

. "$(dirname "$0")/bench-lib.sh"
bench_init node-bench
start_node n1 --data-dir "$TMP/data"
login_and_site
run_phases

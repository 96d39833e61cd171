#!/usr/bin/env bash
# `npm run test:redis-suite [UNIT ...]`: Redis's own suite against a fresh local keyflare per unit
# (run.sh), on free ports; with no units, the core units, and it fails when the core score drops
# below the floor in floor.txt (raise the floor when the score rises; never lower it silently).
# CI (.ci/run) runs it after `npm test`. Needs tclsh (Debian: tcl) and redis-cli.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../.."
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
HTTP=$(free_port)
RESP=$(free_port)
# The harness's own servers take ports from BASEPORT upwards: a random base keeps runs apart.
# Fuzzers take minutes on a loaded machine; a true hang still ends within TEST_TIMEOUT.
export TEST_TIMEOUT=${TEST_TIMEOUT:-300} UNIT_TIMEOUT=${UNIT_TIMEOUT:-1200}
export BASEPORT=${BASEPORT:-$((20000 + RANDOM % 20000))}
# Tests that would hang the service rather than fail (skip.txt says why); they count as failed.
export SKIPFILE=${SKIPFILE:-$HERE/skip.txt}
# Each unit gets a fresh keyflare with fresh storage (run.sh expands START once per unit): a
# unit that is killed mid-way must not leave its CONFIG (maxmemory 1, a CLIENT PAUSE…) to the next.
export START="npm start -- --port $HTTP --resp-port $RESP --persist-to \$(mktemp -d -t kf-suite-state.XXXXXX)" PORT=$RESP
CORE=$(cut -f1 "$HERE/reference/core.tsv" | sed 's#^unit/##' | awk '!s[$0]++' | tr '\n' ' ')
UNITS=${*:-$CORE}
OUT=${OUT:-$(mktemp -d -t redis-suite.XXXXXX)}
export OUT
"$HERE/run.sh" $UNITS | tee "$OUT/score.txt"
[ $# -gt 0 ] && exit 0
score=$(awk '$1 == "SCORE" { split($2, a, "/"); print a[1] }' "$OUT/score.txt")
floor=$(cat "$HERE/floor.txt")
if [ -z "$score" ] || [ "$score" -lt "$floor" ]; then
  echo "redis-suite: core score ${score:-none} is below the floor $floor (logs: $OUT)" >&2
  exit 1
fi
echo "redis-suite: core score $score >= floor $floor"

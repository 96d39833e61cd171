#!/usr/bin/env bash
# Redis's own Tcl test suite (tag 7.0.15, unmodified) run against a server in external mode, one
# fresh server per unit (settings leak between units otherwise), then a fixed-denominator score:
# every test that real redis-server 7.0.15 passes with the same flags is one point.
#
# Usage, from the project's root:
#   START='npm start -- --port 8790 --resp-port 6390' PORT=6390 ../shared/redis-suite/run.sh [UNIT ...]
#   UNITS: e.g. type/hash expire scripting; default: every unit in reference/ (core + extra).
#   OUT=dir keeps the logs (default: a temp dir, printed).  UNIT_TIMEOUT=seconds per unit (900),
#   TEST_TIMEOUT=seconds one test may take (120): a loaded machine needs more for the fuzzers.
#   SKIPFILE=file: test names (or /regexps) not to run, one a line; they count as failed.
#   BASEPORT=n moves the harness's own ports (default 21111) so two runs can share a machine.
#   Needs tclsh (Debian: apt-get install -y tcl).
# START is run in its own process group per unit and stopped by that group's id.
# The score lines are: "unit/<name>  passed/reference  percent", then "SCORE passed/total percent".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${START:?set START to the command that serves RESP on PORT}" "${PORT:?set PORT}"
HOST=${HOST:-127.0.0.1}
command -v tclsh >/dev/null || { echo "needs tclsh: apt-get install -y tcl" >&2; exit 2; }
OUT=${OUT:-$(mktemp -d -t redis-suite.XXXXXX)}
mkdir -p "$OUT"
WORK=$(mktemp -d -t redis-suite-src.XXXXXX)
cp -r "$HERE/src/." "$WORK/"           # the suite writes under tests/tmp: shared/ is read-only
chmod -R u+w "$WORK"
ALL=$(cut -f1 "$HERE/reference/core.tsv" "$HERE/reference/extra.tsv" | sed 's#^unit/##' | awk '!s[$0]++')
UNITS=${*:-$ALL}
TAGS="-needs:debug -needs:repl -needs:config-maxmemory -needs:save -needs:pfdebug -needs:reset -needs:config-resetstat -needs:local-process -needs:latency"
PG=""
stop() {
  [ -n "$PG" ] || return 0
  kill -TERM -- "-$PG" 2>/dev/null
  for _ in $(seq 50); do kill -0 -- "-$PG" 2>/dev/null || { PG=""; return 0; }; sleep 0.1; done
  kill -KILL -- "-$PG" 2>/dev/null; PG=""
}
trap 'stop; rm -rf "$WORK"' EXIT
for u in $UNITS; do
  setsid bash -c "exec $START" < /dev/null > "$OUT/server-$(echo "$u" | tr / _).log" 2>&1 &
  PG=$!
  up=""
  for _ in $(seq 240); do
    if redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null | grep -q PONG; then up=1; break; fi
    sleep 0.25
  done
  [ -n "$up" ] || { echo "server did not answer PING on $HOST:$PORT for unit $u" >&2; stop; continue; }
  t0=$(date +%s)
  (cd "$WORK" && timeout "${UNIT_TIMEOUT:-900}" ./runtest --host "$HOST" --port "$PORT" --single "unit/$u" \
      --durable --timeout "${TEST_TIMEOUT:-120}" ${SINGLEDB_FLAG---singledb} --ignore-encoding --tags "$TAGS" ${BASEPORT:+--baseport $BASEPORT} ${SKIPFILE:+--skipfile "$SKIPFILE"} \
      > "$OUT/$(echo "$u" | tr / _).log" 2>&1)
  echo "$u rc=$? $(( $(date +%s) - t0 ))s" >> "$OUT/summary.txt"
  stop
done
echo "logs: $OUT"
cat "$HERE/reference/core.tsv" "$HERE/reference/extra.tsv" > "$OUT/reference.tsv"
python3 "$HERE/score.py" "$OUT/reference.tsv" "$OUT" "$UNITS"

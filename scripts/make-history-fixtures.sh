#!/bin/sh
# Makes fixtures/history/build-01 … build-10: ten short real Locust runs on 127.0.0.1
# against fixtures/studies/service.py, the same load every time, the service's time per
# request 20% longer from build 06 on (--db-ms 700 for builds 01–05, 840 for 06–10).
# Each folder holds Locust's --csv files (run_stats.csv, run_stats_history.csv,
# run_failures.csv, run_exceptions.csv). What is true by design: fixtures/history/README.md.
#
# Usage: scripts/make-history-fixtures.sh
# Environment: PORT (default 18292), DURATION in seconds per run (default 15).
# Needs python3 and locust (Debian: apt-get install python3-locust). Takes about 3 minutes.
set -eu
cd "$(dirname "$0")/.."
DIR=fixtures/history
PORT=${PORT:-18292}
DURATION=${DURATION:-15}
USERS=20
RATE_PER_USER=1
BASE_MS=700
SLOW_MS=840
HOST=http://127.0.0.1:$PORT
SVC=

stop_service() {
  if [ -n "$SVC" ]; then
    kill "$SVC" 2>/dev/null || true
    wait "$SVC" 2>/dev/null || true
    SVC=
  fi
}
trap stop_service EXIT INT TERM

for n in 01 02 03 04 05 06 07 08 09 10; do
  if [ "$n" -ge 6 ]; then db_ms=$SLOW_MS; else db_ms=$BASE_MS; fi
  out=$DIR/build-$n
  rm -rf "$out"
  mkdir -p "$out"
  # 32 workers and no database limit: the 20 users never queue (at most 20 requests in flight).
  python3 fixtures/studies/service.py --port "$PORT" --workers 32 --db-ms "$db_ms" &
  SVC=$!
  i=0
  until python3 -c "import urllib.request; urllib.request.urlopen('$HOST/health', timeout=1)" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then
      echo "service did not start (build $n)" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "build-$n: $USERS users at $RATE_PER_USER req/s each, service --db-ms $db_ms" >&2
  # All users start within the first second (-r = -u); `timeout` bounds a run that hangs.
  RATE_PER_USER=$RATE_PER_USER timeout $((DURATION + 30)) locust -f "$DIR/locustfile.py" --headless \
    -u "$USERS" -r "$USERS" -t "${DURATION}s" --host "$HOST" \
    --csv "$out/run" --csv-full-history --only-summary --loglevel WARNING
  stop_service
done

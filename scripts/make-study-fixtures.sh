#!/bin/sh
# Makes fixtures/studies/: real Locust runs against fixtures/studies/service.py on
# 127.0.0.1, one folder per run named after what was varied (key=value), each holding
# Locust's --csv files (run_stats.csv, run_stats_history.csv, run_failures.csv,
# run_exceptions.csv). What each case is and what its data says: fixtures/studies/README.md.
#
# Usage: scripts/make-study-fixtures.sh [CASE...]   (default: every case)
#   CASE: capacity-moved-bottleneck | setting-cache-rate | grid-workers-users | load-users
# Environment: PORT (default 18291), DURATION in seconds per run (default 20).
# Needs python3 and locust (Debian: apt-get install python3-locust). Takes about 9 minutes.
set -eu
cd "$(dirname "$0")/.."
DIR=fixtures/studies
PORT=${PORT:-18291}
DURATION=${DURATION:-20}
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

# one_run CASE LABELS USERS WAIT_S SERVICE-ARGS...
one_run() {
  case_=$1 labels=$2 users=$3 wait_s=$4
  shift 4
  out=$DIR/$case_/$labels
  rm -rf "$out"
  mkdir -p "$out"
  python3 "$DIR/service.py" --port "$PORT" "$@" &
  SVC=$!
  i=0
  until python3 -c "import urllib.request; urllib.request.urlopen('$HOST/health', timeout=1)" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then
      echo "service did not start: $*" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$case_/$labels: $users users, wait_time constant($wait_s), service $*" >&2
  # All users start within the first second (-r = -u); `timeout` bounds a run that hangs.
  WAIT_S=$wait_s timeout $((DURATION + 30)) locust -f "$DIR/locustfile.py" --headless \
    -u "$users" -r "$users" -t "${DURATION}s" --host "$HOST" \
    --csv "$out/run" --csv-full-history --only-summary --loglevel WARNING
  stop_service
}

capacity_moved_bottleneck() {
  # A pool of W workers; each request: 5 ms of work, then a 100 ms database call that
  # needs one of 2 database slots. 16 users, 0.1 s think time.
  for w in 1 2 4; do
    one_run capacity-moved-bottleneck "workers=$w" 16 0.1 --workers "$w" --db-slots 2 --app-ms 5 --db-ms 100
  done
}

setting_cache_rate() {
  # 2 workers; a cache hit takes 1 ms of a worker, a miss 100 ms. 8 users, 0.05 s think time.
  for r in 0 0.5 1; do
    one_run setting-cache-rate "cache_rate=$r" 8 0.05 --workers 2 --db-ms 100 --hit-ms 1 --cache-rate "$r"
  done
}

grid_workers_users() {
  # W workers, 100 ms per request, no other limit; U users, 0.5 s think time.
  for w in 1 2 4; do
    for u in 2 8 32; do
      one_run grid-workers-users "workers=$w/users=$u" "$u" 0.5 --workers "$w" --db-ms 100
    done
  done
}

load_users() {
  # 4 workers, 100 ms per request (capacity 40 req/s); U users, 0.5 s think time.
  for u in 4 8 16 32 48 64; do
    one_run load-users "users=$u" "$u" 0.5 --workers 4 --db-ms 100
  done
}

cases=${*:-capacity-moved-bottleneck setting-cache-rate grid-workers-users load-users}
for c in $cases; do
  case $c in
    capacity-moved-bottleneck) capacity_moved_bottleneck ;;
    setting-cache-rate) setting_cache_rate ;;
    grid-workers-users) grid_workers_users ;;
    load-users) load_users ;;
    *) echo "unknown case: $c" >&2; exit 2 ;;
  esac
done

#!/bin/sh
# Makes fixtures/reading/: real Locust runs on 127.0.0.1 against
# scripts/reading-fixtures/service.py, for the per-run reading (test/reading.test.ts).
# What each case is and what its data says: fixtures/reading/README.md.
#
#   scale-out  the pool grows 1 → 2 → 4 workers during a 70 s run at 20 constant users;
#              a real Prometheus (scrape every 1 s, temporary data folder) scrapes the
#              service, and three query_range answers are saved in scale-out/prometheus/
#              with a <name>.query.json sidecar each (query and unit)
#   stepped    a LoadTestShape steps the users 1, 2, 5, 10, 20 (11 s each) against a
#              1-worker pool of fixed capacity
#
# Usage: scripts/make-reading-fixtures.sh [CASE...]   (default: both; about 3 minutes)
# Environment: PORT (service, default 18431), PROM_PORT (Prometheus, default 18432).
# Needs python3, curl, locust and prometheus (Debian: apt-get install python3-locust prometheus curl).
set -eu
cd "$(dirname "$0")/.."
HERE=scripts/reading-fixtures
DIR=fixtures/reading
PORT=${PORT:-18431}
PROM_PORT=${PROM_PORT:-18432}
HOST=http://127.0.0.1:$PORT
PROM=http://127.0.0.1:$PROM_PORT
SVC=
PROMPID=
TMP=$(mktemp -d)

cleanup() {
  for p in $SVC $PROMPID; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  SVC=
  PROMPID=
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

wait_for() { # URL
  i=0
  until curl -sf -o /dev/null --max-time 1 "$1"; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
      echo "no answer from $1" >&2
      exit 1
    fi
    sleep 0.2
  done
}

start_service() { # SERVICE-ARGS...
  python3 "$HERE/service.py" --port "$PORT" "$@" &
  SVC=$!
  wait_for "$HOST/health"
}

stop_service() {
  kill "$SVC" 2>/dev/null || true
  wait "$SVC" 2>/dev/null || true
  SVC=
}

start_prometheus() {
  cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: reading-service
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YML
  # `timeout` bounds it should this script be killed before its trap runs.
  timeout 600 prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
  PROMPID=$!
  wait_for "$PROM/-/ready"
  # Wait until the service's gauge has been scraped.
  i=0
  until curl -s "$PROM/api/v1/query?query=model_pool_workers" | grep -q '"value"'; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
      echo "Prometheus never scraped the service" >&2
      exit 1
    fi
    sleep 0.2
  done
}

# save NAME UNIT QUERY START END: a query_range answer at a 1 s step and its sidecar.
save() {
  out=$DIR/scale-out/prometheus
  curl -sf --max-time 10 -G "$PROM/api/v1/query_range" --data-urlencode "query=$3" \
    --data-urlencode "start=$4" --data-urlencode "end=$5" --data-urlencode "step=1" >"$out/$1.json"
  python3 -c 'import json, sys; json.dump({"name": sys.argv[1], "query": sys.argv[3], "unit": sys.argv[2], "start": int(sys.argv[4]), "end": int(sys.argv[5]), "stepS": 1}, open(sys.argv[6], "w"), indent=2); open(sys.argv[6], "a").write("\n")' \
    "$1" "$2" "$3" "$4" "$5" "$out/$1.query.json"
}

scale_out() {
  rm -rf "$DIR/scale-out"
  mkdir -p "$DIR/scale-out/prometheus"
  # 1 worker of 100 ms (10 req/s), 2 workers from 20 s after the first request (20 req/s), 4 from 35 s (40 req/s).
  start_service --workers 1 --work-ms 100 --scale 20:2,35:4
  start_prometheus
  sleep 3 # idle scrapes before the load
  echo "scale-out: 20 users, wait_time constant(0.5), 70 s; service --workers 1 --work-ms 100 --scale 20:2,35:4" >&2
  t0=$(date +%s)
  WAIT_S=0.5 timeout 120 locust -f "$HERE/locustfile.py" --headless -u 20 -r 20 -t 70s --host "$HOST" \
    --csv "$DIR/scale-out/run" --csv-full-history --only-summary --loglevel WARNING
  t1=$(date +%s)
  sleep 4 # the last scrapes
  start=$((t0 - 5))
  end=$((t1 + 5))
  save workers count 'model_pool_workers' "$start" "$end"
  save p95 s 'histogram_quantile(0.95, sum by (le) (rate(model_request_duration_seconds_bucket[5s])))' "$start" "$end"
  save rps_by_status req/s 'sum by (status) (rate(model_requests_total[5s]))' "$start" "$end"
  stop_service
  kill "$PROMPID" 2>/dev/null || true
  wait "$PROMPID" 2>/dev/null || true
  PROMPID=
}

stepped() {
  rm -rf "$DIR/stepped"
  mkdir -p "$DIR/stepped"
  # 1 worker of 80 ms: at most 12.5 req/s.
  start_service --workers 1 --work-ms 80
  echo "stepped: users 1, 2, 5, 10, 20 for 11 s each, wait_time constant(0.4); service --workers 1 --work-ms 80" >&2
  WAIT_S=0.4 STEP_S=11 timeout 120 locust -f "$HERE/locustfile_stepped.py" --headless --host "$HOST" \
    --csv "$DIR/stepped/run" --csv-full-history --only-summary --loglevel WARNING
  stop_service
}

cases=${*:-scale-out stepped}
for c in $cases; do
  case $c in
    scale-out) scale_out ;;
    stepped) stepped ;;
    *) echo "unknown case: $c" >&2; exit 2 ;;
  esac
done

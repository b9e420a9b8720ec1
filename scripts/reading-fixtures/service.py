#!/usr/bin/env python3
"""A small HTTP service whose worker pool can grow during a run, for the reading fixtures
(Python stdlib only; listens on 127.0.0.1 only).

GET /work is queued (FIFO) for a pool of worker threads; each request holds a worker for
--work-ms (time.sleep), so a pool of W workers serves at most W / work req/s. The pool
starts with --workers threads and grows as --scale says, like an autoscaler adding
replicas: "20:2,35:4" means 2 workers from 20 s after the first /work request, 4 from
35 s. GET /health answers at once. GET /metrics is the Prometheus text exposition of:

  model_pool_workers                        gauge: worker threads in the pool now
  model_requests_total{status}              counter: answered /work requests
  model_request_duration_seconds{le}        histogram: arrival to answer, queueing included
"""
import argparse
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUCKETS = (0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0,
           1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, default=1, help="worker threads at the start")
    ap.add_argument("--work-ms", type=float, default=100.0, help="time a request holds a worker")
    ap.add_argument("--scale", default="", help="AT_S:WORKERS,... seconds after the first /work request")
    args = ap.parse_args()
    schedule = sorted((float(a), int(w)) for a, w in (p.split(":") for p in args.scale.split(",") if p))

    lock = threading.Lock()
    jobs: "queue.Queue[tuple[float, threading.Event]]" = queue.Queue()
    state = {"workers": 0, "first": None, "counts": [0] * (len(BUCKETS) + 1), "sum": 0.0, "total": 0}

    def worker() -> None:
        while True:
            _, done = jobs.get()
            time.sleep(args.work_ms / 1000)
            done.set()

    def grow_to(n: int) -> None:
        with lock:
            while state["workers"] < n:
                threading.Thread(target=worker, daemon=True).start()
                state["workers"] += 1

    def autoscaler() -> None:
        # Waits for the first request, then grows the pool at the scheduled times.
        while state["first"] is None:
            time.sleep(0.01)
        for at, n in schedule:
            delay = state["first"] + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            grow_to(n)

    def observe(seconds: float) -> None:
        with lock:
            for i, b in enumerate(BUCKETS):
                if seconds <= b:
                    state["counts"][i] += 1
                    break
            else:
                state["counts"][-1] += 1
            state["sum"] += seconds
            state["total"] += 1

    def exposition() -> bytes:
        with lock:
            lines = [
                "# HELP model_pool_workers Worker threads in the pool.",
                "# TYPE model_pool_workers gauge",
                f"model_pool_workers {state['workers']}",
                "# HELP model_requests_total Answered /work requests.",
                "# TYPE model_requests_total counter",
                f'model_requests_total{{status="200"}} {state["total"]}',
                "# HELP model_request_duration_seconds Arrival to answer, queueing included.",
                "# TYPE model_request_duration_seconds histogram",
            ]
            cum = 0
            for b, c in zip(BUCKETS, state["counts"]):
                cum += c
                lines.append(f'model_request_duration_seconds_bucket{{le="{b}"}} {cum}')
            lines.append(f'model_request_duration_seconds_bucket{{le="+Inf"}} {state["total"]}')
            lines.append(f"model_request_duration_seconds_sum {state['sum']}")
            lines.append(f"model_request_duration_seconds_count {state['total']}")
        return ("\n".join(lines) + "\n").encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            ctype = "text/plain"
            if self.path == "/health":
                body = b"ok"
            elif self.path == "/metrics":
                body, ctype = exposition(), "text/plain; version=0.0.4"
            elif self.path.split("?")[0] == "/work":
                t0 = time.monotonic()
                if state["first"] is None:
                    with lock:
                        if state["first"] is None:
                            state["first"] = t0
                done = threading.Event()
                jobs.put((t0, done))
                done.wait()
                observe(time.monotonic() - t0)
                body = b"done"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the load generator stopped its user while this request was in flight

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

        def handle_error(self, request, client_address) -> None:
            pass

    grow_to(args.workers)
    threading.Thread(target=autoscaler, daemon=True).start()
    Server(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()

# Closed-loop users for the reading fixtures: each user sends GET /work, waits for the
# answer, then thinks for exactly WAIT_S seconds (constant wait_time, default 0.5 s).
import os

import locust.stats
from locust import HttpUser, constant, task

# Write _stats_history.csv to disk every second instead of every 10 s, so the run keeps
# its last rows (Locust's documented knob).
locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1


class ReadingUser(HttpUser):
    wait_time = constant(float(os.environ.get("WAIT_S", "0.5")))

    @task
    def work(self):
        self.client.get("/work")

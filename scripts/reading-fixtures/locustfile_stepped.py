# The same users as locustfile.py, driven by a LoadTestShape that steps the user count
# 1, 2, 5, 10, 20, holding each level STEP_S seconds (default 11), then stops.
import os

from locust import LoadTestShape

from locustfile import ReadingUser  # noqa: F401 (Locust runs the User classes it finds here)


class Steps(LoadTestShape):
    levels = (1, 2, 5, 10, 20)
    step_s = float(os.environ.get("STEP_S", "11"))

    def tick(self):
        i = int(self.get_run_time() // self.step_s)
        if i >= len(self.levels):
            return None
        # Spawn rate 100 users/s: each step is taken within its first second.
        return self.levels[i], 100

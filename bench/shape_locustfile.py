# The bench's third way (bench/bench.mjs): the same stages as one headless Locust run driven by a
# LoadTestShape. The users are the project's own (locust/locustfile.py, imported unchanged); the
# stages come from the environment, as JSON:
#
#   BENCH_SHAPE='[{"users": 4, "spawnRate": 20, "seconds": 10.2, "cooldown": 5}, ...]'
#
# Each stage holds `users` for `seconds` (its planned ramp + hold), then 0 users for `cooldown`
# seconds (Locust accepts a tick of 0 users: the users are stopped, the test keeps running);
# after the last stage (no cooldown) tick() returns None and the headless run ends.
# Locust calls tick() about once a second, so each boundary lands up to ~1 s late.

import json
import os
import sys

from locust import LoadTestShape

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "locust"))
from locustfile import InferenceUser  # noqa: E402,F401  (the user class this run starts)

_STAGES = json.loads(os.environ.get("BENCH_SHAPE", "[]"))


class BenchStages(LoadTestShape):
    def tick(self):
        t = self.get_run_time()
        end = 0.0
        for i, s in enumerate(_STAGES):
            end += float(s["seconds"])
            if t < end:
                return (int(s["users"]), float(s["spawnRate"]))
            if i < len(_STAGES) - 1:
                end += float(s.get("cooldown", 0))
                if t < end:
                    return (0, float(s["spawnRate"]))
        return None

# The bundled locustfile of locust-driver's embedded local stack.
#
# This is the ORIGINAL request mix of the deployment locust-driver's users run today
# (the `InferenceUser` of the `locust-scripts` ConfigMap), kept as it was:
#
#   @task(8)  predict       POST /predict   (80 % of requests) - 30 timestamps x 11 features
#   @task(1)  health_check  GET  /healthz   (10 %)
#   @task(1)  metrics_check GET  /metrics   (10 %)
#
# The original payload repeated one timestamp 30 times; here the 30 timestamps are one minute
# apart (a more realistic window). The five features the original named keep their values; the
# six it elided ("# ... 6 more features") are plausible LTE radio features with constant values.
# `name=` pins the stats rows to exactly "/predict", "/healthz" and "/metrics".
#
# wait_time = between(0.5, 1.5): about one request per second per user, so the number of users
# is roughly the offered request rate.
#
# Works unchanged on Locust 2.12.1 and 2.47.0 (only HttpUser, task, between are used).
#
# `import locust_driver_plugin` loads locust-driver's companion plugin (locust_driver_plugin.py, next
# to this file; in Kubernetes the same ConfigMap carries both): exact windows (an acknowledged reset,
# a flush at the end) and a ramp seen without the 2 s cache. Without that line the driver falls back
# to the REST API alone (docs/how-a-stage-works.md). It adds routes under /locust-driver/ and does
# nothing else: the request mix below is untouched.

from datetime import datetime, timedelta

import locust_driver_plugin  # noqa: F401  (the companion plugin; see above)
from locust import HttpUser, between, task

WINDOW = 30
_START = datetime(2018, 2, 6, 0, 0, 0)

PAYLOAD = {
    "data": {
        "ts": [(_START + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(WINDOW)],
        "down": [109934672.0] * WINDOW,
        "up": [41703548.0] * WINDOW,
        "rnti_count": [96.0] * WINDOW,
        "mcs_down": [18.52] * WINDOW,
        "mcs_up": [14.37] * WINDOW,
        "rb_down": [0.42] * WINDOW,
        "rb_up": [0.17] * WINDOW,
        "tx_pkts_down": [98213.0] * WINDOW,
        "tx_pkts_up": [45120.0] * WINDOW,
        "cqi": [11.8] * WINDOW,
    }
}


class InferenceUser(HttpUser):
    wait_time = between(0.5, 1.5)

    @task(8)
    def predict(self):
        self.client.post("/predict", json=PAYLOAD, name="/predict")

    @task(1)
    def health_check(self):
        self.client.get("/healthz", name="/healthz")

    @task(1)
    def metrics_check(self):
        self.client.get("/metrics", name="/metrics")

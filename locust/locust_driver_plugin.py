"""locust-driver's companion plugin: what Locust's REST API lacks for exact, short windows.

Enable it in a locustfile with one line (the file must sit next to the locustfile, or on PYTHONPATH,
on the master AND on every worker):

    import locust_driver_plugin  # noqa: F401

It uses only Locust's extension API (events.init, runner.register_message, runner.send_message and
routes on environment.web_ui.app) and works on Locust 2.12 and later. It adds three routes to the
master's web UI (under its --web-base-path, behind its --web-login when that is on):

  GET  /locust-driver/runner   the runner right now, not through the 2 s cache of /stats/requests:
                               state, users, every worker's state and users, and the master's totals.
  POST /locust-driver/reset    every worker drops the numbers it has not reported yet and
                               acknowledges; once all have, the master's stats are reset. Answers
                               then: the window starts at the answer, with nothing from before it.
  POST /locust-driver/flush    every worker reports now and acknowledges; answers once the master
                               has every report: the numbers are final at once, up to the answer.

reset and flush take ?timeout=<seconds> (default 5) and answer honestly: "complete" is false and
"missing" names the workers that did not acknowledge in time. Every answer carries "plugin" and
"version" (how the driver detects it: a 404 means the plugin is not loaded).

Why it is exact: each worker's messages reach the master in the order they were sent (one ZeroMQ
connection), and the master handles them one at a time. A report a worker sent before its
acknowledgement is therefore handled before it, and one sent after, after it.
"""

import logging
import time

from flask import jsonify, request
from gevent.event import Event
from gevent.lock import Semaphore
from locust import __version__ as LOCUST_VERSION
from locust import events
from locust.runners import MasterRunner, WorkerRunner

PLUGIN_VERSION = "1"
ROUTE_PREFIX = "/locust-driver"
DEFAULT_TIMEOUT_S = 5.0
MAX_TIMEOUT_S = 60.0
# A reset is redone when a worker reported after acknowledging but before the last worker did
# (that report would be wiped with the master's stats); rare: acknowledgements take milliseconds.
RESET_ATTEMPTS = 3

MSG_CLEAR = "locust_driver_clear"
MSG_FLUSH = "locust_driver_flush"
MSG_ACK = "locust_driver_ack"

logger = logging.getLogger(__name__)


def _reset_master_stats(environment):
    # What Locust's own /stats/reset does (events.reset_stats exists on every 2.x release).
    environment.events.reset_stats.fire()
    environment.runner.stats.reset_all()
    environment.runner.exceptions = {}


def _percentile(total, p):
    try:
        return total.get_current_response_time_percentile(p)
    except Exception:  # an empty window: no response times yet
        return None


def runner_view(environment):
    """The runner as it is now (the master's totals include every report received so far)."""
    runner = environment.runner
    total = runner.stats.total
    workers = []
    if isinstance(runner, MasterRunner):
        for w in runner.clients.values():
            workers.append(
                {
                    "id": w.id,
                    "state": w.state,
                    "user_count": w.user_count,
                    "cpu_percent": getattr(w, "cpu_usage", None),
                    "memory_bytes": getattr(w, "memory_usage", None),
                }
            )
    return {
        "plugin": "locust-driver",
        "version": PLUGIN_VERSION,
        "locust_version": LOCUST_VERSION,
        "at": time.time(),
        "state": runner.state,
        "user_count": runner.user_count,
        "worker_count": runner.worker_count if isinstance(runner, MasterRunner) else 0,
        "workers": workers,
        "stats": {
            "requests": total.num_requests,
            "failures": total.num_failures,
            "current_rps": total.current_rps,
            "current_fail_per_sec": total.current_fail_per_sec,
            "current_p50_ms": _percentile(total, 0.5),
            "current_p95_ms": _percentile(total, 0.95),
            # Cumulative since the reset (× requests = the summed response time): the driver's
            # sub-window series takes its differences for the mean-latency trend and interval.
            "avg_ms": total.avg_response_time if total.num_requests > 0 else None,
        },
    }


class _Round:
    """One reset or flush in flight: the workers asked, those still to acknowledge."""

    def __init__(self, op, token, workers):
        self.op = op
        self.token = token
        self.asked = list(workers)
        self.waiting = set(workers)
        self.reported_early = False  # a worker reported after acknowledging a clear (see RESET_ATTEMPTS)
        self.done = Event()
        self.view = None


class _Coordinator:
    """On the master: sends the round's message to every connected worker and collects the acks."""

    def __init__(self, environment):
        self.environment = environment
        self.lock = Semaphore()  # one round at a time: a second caller waits for the first
        self.token = 0
        self.round = None

    def _connected(self):
        # Every worker the master knows, but those it lost (missing: no heartbeat, will not answer).
        return [w.id for w in self.environment.runner.clients.values() if w.state != "missing"]

    def on_ack(self, environment, msg, **_kwargs):
        r = self.round
        data = msg.data or {}
        if r is None or data.get("token") != r.token or msg.node_id not in r.waiting:
            return  # a late answer to a round that timed out
        r.waiting.discard(msg.node_id)
        if not r.waiting:
            self._finish(r)

    def on_worker_report(self, client_id, **_kwargs):
        r = self.round
        if r is not None and r.op == "clear" and not r.done.is_set() and client_id in r.asked and client_id not in r.waiting:
            r.reported_early = True

    def _finish(self, r):
        # Runs in the master's message loop: no other worker message is handled in between.
        if r.op == "clear" and not r.reported_early:
            _reset_master_stats(self.environment)
        r.view = runner_view(self.environment)
        r.done.set()

    def run(self, op, timeout_s):
        with self.lock:
            attempts = RESET_ATTEMPTS if op == "clear" else 1
            for attempt in range(1, attempts + 1):
                self.token += 1
                r = _Round(op, self.token, self._connected())
                self.round = r
                msg_type = MSG_CLEAR if op == "clear" else MSG_FLUSH
                for worker_id in r.asked:
                    self.environment.runner.send_message(msg_type, {"token": r.token}, client_id=worker_id)
                if not r.asked:
                    self._finish(r)
                complete = r.done.wait(timeout_s)
                self.round = None
                if complete and r.reported_early and attempt < attempts:
                    continue  # a post-clear report would have been wiped: clear again
                if not complete or r.reported_early:
                    # Timed out (or still racing after the last attempt): reset anyway, say so.
                    if op == "clear":
                        _reset_master_stats(self.environment)
                    r.view = runner_view(self.environment)
                return {
                    "plugin": "locust-driver",
                    "version": PLUGIN_VERSION,
                    "complete": complete and not r.reported_early,
                    "workers": r.asked,
                    "missing": sorted(r.waiting),
                    "attempts": attempt,
                    "runner": r.view,
                }


def _timeout():
    try:
        t = float(request.args.get("timeout", DEFAULT_TIMEOUT_S))
    except ValueError:
        t = DEFAULT_TIMEOUT_S
    return min(max(t, 0.1), MAX_TIMEOUT_S)


def _add_routes(environment, coordinator):
    web_ui = environment.web_ui
    app = web_ui.app
    # Locust's own routes move under --web-base-path (2.2x and later): ours follow them.
    base = (getattr(environment.parsed_options, "web_base_path", None) or "").rstrip("/")
    auth = getattr(web_ui, "auth_required_if_enabled", lambda f: f)

    def runner_route():
        return jsonify(runner_view(environment))

    def reset_route():
        if coordinator is None:  # a LocalRunner: no workers hold numbers back
            _reset_master_stats(environment)
            return jsonify({"plugin": "locust-driver", "version": PLUGIN_VERSION, "complete": True, "workers": [], "missing": [], "attempts": 1, "runner": runner_view(environment)})
        return jsonify(coordinator.run("clear", _timeout()))

    def flush_route():
        if coordinator is None:
            return jsonify({"plugin": "locust-driver", "version": PLUGIN_VERSION, "complete": True, "workers": [], "missing": [], "attempts": 1, "runner": runner_view(environment)})
        return jsonify(coordinator.run("flush", _timeout()))

    for name, view, methods in (("runner", runner_route, ["GET"]), ("reset", reset_route, ["POST"]), ("flush", flush_route, ["POST"])):
        view.__name__ = f"locust_driver_{name}"
        app.add_url_rule(f"{base}{ROUTE_PREFIX}/{name}", endpoint=view.__name__, view_func=auth(view), methods=methods)


def _on_worker_message(op):
    def handler(environment, msg, **_kwargs):
        runner = environment.runner
        if op == "clear":
            # Drop what this worker has not reported yet. No yield before the ack is sent, so no
            # report of the stats reporter can slip in between.
            runner.stats.reset_all()
        else:
            # Report now, exactly as WorkerRunner's stats reporter does every 3 s.
            data = {}
            environment.events.report_to_master.fire(client_id=runner.client_id, data=data)
            runner.send_message("stats", data)
        runner.send_message(MSG_ACK, {"token": (msg.data or {}).get("token"), "op": op})

    return handler


@events.init.add_listener
def _on_locust_init(environment, **_kwargs):
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message(MSG_CLEAR, _on_worker_message("clear"))
        runner.register_message(MSG_FLUSH, _on_worker_message("flush"))
        return
    coordinator = None
    if isinstance(runner, MasterRunner):
        coordinator = _Coordinator(environment)
        runner.register_message(MSG_ACK, coordinator.on_ack)
        environment.events.worker_report.add_listener(coordinator.on_worker_report)
    if environment.web_ui is not None:
        _add_routes(environment, coordinator)
        logger.info("locust-driver plugin %s: routes under %s/", PLUGIN_VERSION, ROUTE_PREFIX)

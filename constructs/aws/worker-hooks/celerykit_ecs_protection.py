"""ECS task scale-in protection for Celery workers, shipped by celerykit.

A Fargate task gets SIGTERM when its service scales in, and SIGKILL 120 seconds later (the
longest stop timeout Fargate allows). A task that runs longer would be killed mid-way and, with
acks_late, run again from the start: on RabbitMQ as soon as the connection drops, on Redis only
after the visibility timeout. This hook asks the ECS agent to protect the task from scale-in
while the worker holds work, and releases the protection when it is idle, so the scaler only
removes idle workers.

celerykit ships it: on pools whose tasks may outlast the stop timeout, a first container writes
this file into a task volume, and the worker command puts that volume on PYTHONPATH and imports
the module with ``--include`` (constructs/aws/worker-pool.ts), so the app needs no change. It does
nothing unless ECS_AGENT_URI (set by ECS) and CELERYKIT_TASK_PROTECTION_MINUTES (set by celerykit
on those pools) are both present. It never fails a task: an agent error is logged and the task
runs unprotected.

The task role needs ecs:UpdateTaskProtection on its own tasks; celerykit grants exactly that.
"""

import json
import logging
import os
import threading
import time
import urllib.request

from celery import signals
from celery.worker import state as worker_state

log = logging.getLogger("celerykit.ecs_protection")

ENV_AGENT_URI = "ECS_AGENT_URI"
ENV_MINUTES = "CELERYKIT_TASK_PROTECTION_MINUTES"
#: The agent accepts 1-2880 minutes.
MAX_MINUTES = 2880


def worker_is_busy():
    """True while the worker runs a task or holds one it has reserved (prefetched)."""
    return bool(worker_state.active_requests) or bool(worker_state.reserved_requests)


class TaskProtection:
    """Takes protection when work arrives, renews it while busy, releases it when idle."""

    def __init__(self, agent_uri, expires_minutes, poll_seconds=5.0, busy=worker_is_busy, clock=time.monotonic):
        self.url = agent_uri.rstrip("/") + "/task-protection/v1/state"
        self.expires_minutes = max(1, min(MAX_MINUTES, int(expires_minutes)))
        self.poll_seconds = poll_seconds
        self._busy = busy
        self._clock = clock
        self._lock = threading.Lock()
        self._protected_at = None
        self._received_at = None
        self._stopping = threading.Event()
        self._thread = None

    def _put(self, enabled):
        body = {"ProtectionEnabled": enabled}
        if enabled:
            body["ExpiresInMinutes"] = self.expires_minutes
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), method="PUT", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.loads(response.read() or b"{}")
        if answer.get("failure"):
            raise RuntimeError("ECS agent refused task protection: %s" % (answer["failure"],))

    def _set(self, enabled):
        try:
            self._put(enabled)
        except Exception as exc:  # never let protection break a task
            log.warning("could not %s ECS task protection: %s", "take" if enabled else "release", exc)
            return False
        self._protected_at = self._clock() if enabled else None
        return True

    def on_task_received(self, **_kwargs):
        """Signal handler (worker main process): protect before the task starts."""
        with self._lock:
            self._received_at = self._clock()
            if self._protected_at is None:
                self._set(True)

    def check(self):
        """Release when idle; renew at half the expiry while still busy."""
        with self._lock:
            if self._protected_at is None:
                return
            now = self._clock()
            # A task just received may not be counted as reserved yet; give it one poll.
            recently_received = self._received_at is not None and now - self._received_at < self.poll_seconds
            if not self._busy() and not recently_received:
                self._set(False)
            elif now - self._protected_at > self.expires_minutes * 30:
                self._set(True)

    def _run(self):
        while not self._stopping.wait(self.poll_seconds):
            self.check()

    def start(self, **_kwargs):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="celerykit-ecs-protection", daemon=True)
            self._thread.start()

    def stop(self, **_kwargs):
        self._stopping.set()
        with self._lock:
            if self._protected_at is not None:
                self._set(False)


def install(agent_uri=None, expires_minutes=None, poll_seconds=5.0):
    """Connects the hook to Celery's signals; returns it, or None when not configured."""
    agent_uri = agent_uri or os.environ.get(ENV_AGENT_URI)
    expires_minutes = expires_minutes or os.environ.get(ENV_MINUTES)
    if not agent_uri or not expires_minutes:
        return None
    protection = TaskProtection(agent_uri, int(expires_minutes), poll_seconds=poll_seconds)
    signals.task_received.connect(protection.on_task_received, weak=False)
    signals.worker_ready.connect(protection.start, weak=False)
    signals.worker_shutting_down.connect(protection.stop, weak=False)
    return protection


PROTECTION = install()

"""The sample app plus a task that retries once, for the Redis users test (a retry republishes
the task from the worker, with a countdown, as the app user)."""

import os

from sampleapp import app  # noqa: F401  (the worker's -A target)
import recorder


@app.task(name="celerykit.test.retry_once", bind=True, max_retries=1, default_retry_delay=0.5)
def retry_once(self, run_id):
    recorder.record_start(run_id, self.request.delivery_info.get("routing_key"), self.request.hostname)
    if self.request.retries == 0:
        raise self.retry()
    recorder.finish(run_id)

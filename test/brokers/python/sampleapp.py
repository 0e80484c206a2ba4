"""A Celery app for the real-broker tests: loads the settings celerykit generated, and records
what each task run did in a separate Redis database (or a file for RabbitMQ runs)."""

import importlib.util
import os
import time

from celery import Celery

spec = importlib.util.spec_from_file_location("celery_settings", os.environ["CELERYKIT_SETTINGS"])
settings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(settings)

app = Celery("sampleapp")
app.config_from_object(settings)
if os.environ.get("TEST_VISIBILITY_TIMEOUT"):
    # Shortened for the test; production uses the value the kit derived (in the settings).
    app.conf.broker_transport_options = {**app.conf.broker_transport_options, "visibility_timeout": int(os.environ["TEST_VISIBILITY_TIMEOUT"])}
if os.environ.get("TEST_QUORUM_WITHOUT_GLOBAL_QOS"):
    # Debian's Celery 5.2 predates quorum queue detection (Celery 5.5 turns global QoS off by
    # itself); quorum queues reject global QoS, so the test does what 5.5 does.
    import kombu
    kombu.Connection.qos_semantics_matches_spec = property(lambda self: True)

import recorder  # noqa: E402


@app.task(name="myapp.tasks.email.send", bind=True)
def send_email(self, run_id):
    recorder.record_start(run_id, self.request.delivery_info.get("routing_key"), self.request.hostname)
    recorder.finish(run_id)


@app.task(name="myapp.tasks.reports.build", bind=True)
def build_report(self, run_id, seconds=0.0):
    recorder.record_start(run_id, self.request.delivery_info.get("routing_key"), self.request.hostname)
    time.sleep(seconds)
    recorder.finish(run_id)


@app.task(name="other.unrouted", bind=True)
def unrouted(self, run_id):
    recorder.record_start(run_id, self.request.delivery_info.get("routing_key"), self.request.hostname)
    recorder.finish(run_id)


@app.task(name="celerykit.test.poison", bind=True)
def poison(self, run_id):
    """Kills the process that runs it, as an out-of-memory kill does."""
    import signal

    recorder.record_start(run_id, self.request.delivery_info.get("routing_key"), self.request.hostname)
    os.kill(os.getpid(), signal.SIGKILL)

"""Servers and workers for the real-broker tests: started on loopback in temporary folders,
stopped (and their process groups killed) when the test ends."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """redis-server with the persistence the kit configures where it runs Redis itself."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="celerykit-redis-")
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir, "--appendonly", "yes",
             "--appendfsync", "everysec", "--maxmemory-policy", "noeviction", "--save", "", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis
        client = redis.Redis(host="127.0.0.1", port=self.port)
        wait_until(lambda: _ping(client), 20, what="redis-server")
        return self

    def kill_hard(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


def _ping(client):
    try:
        return client.ping()
    except Exception:
        return False


class Worker:
    """`celery worker` of the sample app in its own process group."""

    def __init__(self, env, queues, name, prefetch=1, concurrency=1):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sampleapp", "worker", "-Q", ",".join(queues), "-P", "prefork",
             "-c", str(concurrency), f"--prefetch-multiplier={prefetch}", "-n", f"{name}@%h", "--without-gossip",
             "--without-mingle", "--loglevel=WARNING"],
            cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )

    def kill_hard(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class RabbitServer:
    """A user-level RabbitMQ node on loopback in a temporary folder (Debian's rabbitmq-server
    drops to the rabbitmq user when started as root, so the folder belongs to that user)."""

    def __init__(self, management=False):
        self.dir = tempfile.mkdtemp(prefix="celerykit-rabbitmq-")
        self.port = free_port()
        self.dist_port = free_port()
        self.management_port = free_port() if management else None
        self.node = f"celerykit{self.port}@localhost"
        with open(os.path.join(self.dir, "rabbitmq.conf"), "w") as f:
            f.write(f"listeners.tcp.1 = 127.0.0.1:{self.port}\n")
            if management:
                f.write(f"management.tcp.port = {self.management_port}\nmanagement.tcp.ip = 127.0.0.1\n")
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[rabbitmq_management].\n" if management else "[].\n")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "rabbitmq", "rabbitmq")
            for name in os.listdir(self.dir):
                shutil.chown(os.path.join(self.dir, name), "rabbitmq", "rabbitmq")
        self.env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": os.path.join(self.dir, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.dir, "log"),
            "RABBITMQ_CONFIG_FILE": os.path.join(self.dir, "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.dir, "enabled_plugins"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.process = None

    def ctl(self, *args):
        return subprocess.run(["rabbitmqctl", "-n", self.node, *args], env=self.env, capture_output=True, text=True, timeout=60)

    def start(self):
        self.process = subprocess.Popen(["rabbitmq-server"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(lambda: self.ctl("await_startup").returncode == 0, 90, interval=1, what="rabbitmq-server")
        return self

    def stop(self):
        if self.process is not None:
            self.ctl("stop")
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
            # epmd is started by the first Erlang node; leave nothing running.
            subprocess.run(["epmd", "-kill"], env=self.env, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"


class BrokerTestCase:
    """Mixin for the broker tests: a fresh record folder, the sample app configured for the
    broker, and workers that are stopped after each test. Set `broker_env` in setUp first."""

    def start_app(self, broker_env):
        import unittest  # noqa: F401  (the mixin is used with unittest.TestCase)

        self.records = tempfile.mkdtemp(prefix="celerykit-records-")
        self.addCleanup(shutil.rmtree, self.records, True)
        self.env = {**os.environ, "CELERYKIT_RECORD_DIR": self.records, **broker_env}
        os.environ.update({"CELERYKIT_RECORD_DIR": self.records, **broker_env})
        for name in ("sampleapp", "recorder"):
            sys.modules.pop(name, None)
        import recorder
        import sampleapp

        self.recorder = recorder
        self.app = sampleapp.app
        self.workers = []
        self.addCleanup(self._stop_all)

    def _stop_all(self):
        for w in self.workers:
            w.stop()
        self.app.close()

    def worker(self, queues, name, prefetch=1):
        w = Worker(self.env, queues, name, prefetch=prefetch)
        self.workers.append(w)
        wait_until(lambda: any(name in n for reply in (self.app.control.ping(timeout=0.5) or []) for n in reply), 60, what=f"worker {name}")
        return w

    def send(self, task, *args, **options):
        run_id = uuid.uuid4().hex
        self.app.send_task(task, args=[run_id, *args], **options)
        return run_id

    def assert_each_task_class_goes_to_its_queue(self):
        self.worker(["email", "reports", "default"], "router")
        runs = {self.send("myapp.tasks.email.send"): "email", self.send("myapp.tasks.reports.build"): "reports", self.send("other.unrouted"): "default"}
        for run_id, queue in runs.items():
            wait_until(lambda: self.recorder.final(run_id), 30, what=f"task routed to {queue}")
            self.assertEqual(self.recorder.events("start", run_id)[0]["routing_key"], queue)

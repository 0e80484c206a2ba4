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


def answering_nodes(app, name):
    """The node names of the workers started as `name@...` that answer a ping sent by `app` (and
    its user) now; empty when none does yet. By prefix, so `first` never matches `first-2@...`."""
    return [n for reply in (app.control.ping(timeout=0.5) or []) for n in reply if n.startswith(f"{name}@")]


def inspect_named(app, name, timeout=5):
    """`app.control.inspect` addressed to the workers started as `name@...`. Without a destination
    a broadcast cannot know how many replies are coming and waits out its whole timeout; with one,
    kombu stops collecting after one reply per destination (kombu/pidbox.py, Mailbox._broadcast:
    `limit = destination and len(destination) or None`)."""
    nodes = wait_until(lambda: answering_nodes(app, name), 30, what=f"a ping reply from worker {name}")
    return app.control.inspect(timeout=timeout, destination=nodes)


class RedisServer:
    """redis-server with the persistence the kit configures where it runs Redis itself."""

    DEFAULT_PERSISTENCE = ("--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction", "--save", "")

    def __init__(self, persistence=DEFAULT_PERSISTENCE, tls=False):
        self.dir = tempfile.mkdtemp(prefix="celerykit-redis-")
        self.port = free_port()
        self.persistence = list(persistence)
        self.process = None
        # TLS only, as ElastiCache and Memorystore serve it: a test CA signs the server's
        # certificate for 127.0.0.1, and clients verify it against that CA.
        self.ca_file = _make_test_certificates(self.dir) if tls else None

    @property
    def client_options(self):
        """redis-py options that reach this server (TLS verified against the test CA when it has one)."""
        return {"ssl": True, "ssl_ca_certs": self.ca_file, "ssl_cert_reqs": "required"} if self.ca_file else {}

    def start(self):
        listen = (["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", os.path.join(self.dir, "server.pem"),
                   "--tls-key-file", os.path.join(self.dir, "server.key"), "--tls-ca-cert-file", self.ca_file, "--tls-auth-clients", "no"]
                  if self.ca_file else ["--port", str(self.port)])
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", *listen, "--dir", self.dir, *self.persistence, "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis
        client = redis.Redis(host="127.0.0.1", port=self.port, **self.client_options)
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


def _make_test_certificates(folder):
    """A CA and a server certificate for 127.0.0.1 signed by it, with openssl; returns the CA file."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=celerykit test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(folder, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
    return os.path.join(folder, "ca.pem")


def load_kit_redis_users(server, users):
    """The kit's ACL users on `server` as ElastiCache gets them (`users` as the TypeScript side
    writes it: the users with their access strings, and the `default` user's), each with a fresh
    password, plus the test's own administrator, which no component has anything like, to read
    ACL LOG and look at keys. Returns (passwords by user name, the administrator's client)."""
    import redis

    admin = ("celerykit-test-admin", uuid.uuid4().hex)
    bootstrap = redis.Redis(host="127.0.0.1", port=server.port, **server.client_options)
    passwords = {u["name"]: uuid.uuid4().hex for u in users["users"]}
    bootstrap.execute_command("ACL", "SETUSER", admin[0], "on", f">{admin[1]}", "~*", "&*", "+@all")
    for u in users["users"]:
        # The construct's string, token by token, plus the password ElastiCache sets apart.
        bootstrap.execute_command("ACL", "SETUSER", u["name"], "reset", *u["accessString"].split(" "), f">{passwords[u['name']]}")
    bootstrap.execute_command("ACL", "SETUSER", "default", "reset", *users["defaultAccessString"].split(" "))
    bootstrap.close()
    return passwords, redis.Redis(host="127.0.0.1", port=server.port, username=admin[0], password=admin[1], decode_responses=True, **server.client_options)


def acl_denials(admin):
    """The server's ACL LOG, the fields that say who was refused what."""
    return [{k: e[k] for k in ("username", "reason", "context", "object")} for e in (dict(zip(x[::2], x[1::2])) for x in admin.execute_command("ACL", "LOG"))]


def _accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


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


class KitWorker:
    """A worker started the way the platform starts it: the kit's synthesized command line and
    environment (CELERYKIT_WORKER, written by the TypeScript test from the synthesized stack), with
    only the program (`celery` -> this Python's Celery), the app module (-> sampleapp) and the
    node name (so two workers on one host differ) replaced, plus quieter logging to a file."""

    def __init__(self, env, deployed, name, log_dir):
        command = list(deployed["command"])
        assert command[0] == "celery", command
        argv = [sys.executable, "-m", "celery", *command[1:]]
        argv[argv.index("-A") + 1] = "sampleapp"
        argv[argv.index("-n") + 1] = f"{name}@%h"
        self.log = os.path.join(log_dir, f"worker-{name}.log")
        self.stop_window = deployed["stopWindowSeconds"]
        self.argv = argv
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [*argv, "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
                cwd=HERE, env={**env, **deployed["env"]}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def stop_like_the_platform(self):
        """SIGTERM to the worker process (PID 1 of the container, as `docker stop` and ECS send it),
        SIGKILL to everything left after the stop window. Returns (seconds to exit, killed)."""
        sent = time.time()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(self.stop_window)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        return time.time() - sent, killed

    def kill_hard(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.kill_hard()
        else:
            # Children of an exited worker must not outlive the test.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def output(self):
        with open(self.log) as f:
            return f.read()


class RabbitServer:
    """A user-level RabbitMQ node on loopback in a temporary folder (Debian's rabbitmq-server
    drops to the rabbitmq user when started as root, so the folder belongs to that user)."""

    def __init__(self, management=False, epmd_port=None):
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
            # An epmd of its own (shared only by the nodes of one cluster): stopping it never
            # unregisters a node another test started.
            "ERL_EPMD_PORT": str(epmd_port or free_port()),
        }
        self.process = None

    def ctl(self, *args):
        return subprocess.run(["rabbitmqctl", "-n", self.node, *args], env=self.env, capture_output=True, text=True, timeout=60)

    def launch(self):
        self.process = subprocess.Popen(["rabbitmq-server"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        return self

    def await_startup(self):
        # Each rabbitmqctl call boots an Erlang VM (about 0.5 s of CPU), and one that finds no node
        # fails at once: polling it every second while the node boots cost several seconds of CPU per
        # server. Its distribution port opens early in the boot, so wait for that with a plain
        # connect, then let one `await_startup` wait for the rest (it blocks until the boot is done).
        wait_until(lambda: _accepts(self.dist_port), 90, what="rabbitmq-server's distribution port")
        wait_until(lambda: self.ctl("await_startup").returncode == 0, 90, interval=1, what="rabbitmq-server")
        return self

    def start(self):
        return self.launch().await_startup()

    def kill_hard(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, kill_epmd=True):
        if self.process is not None and self.process.poll() is None:
            self.ctl("stop")
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if kill_epmd:
            # epmd is started by the first Erlang node; leave nothing running.
            subprocess.run(["epmd", "-kill"], env=self.env, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"


class RabbitCluster:
    """Three RabbitMQ nodes on loopback joined into one cluster, sharing one epmd."""

    def __init__(self, size=3):
        epmd_port = free_port()
        self.nodes = [RabbitServer(epmd_port=epmd_port) for _ in range(size)]

    def start(self):
        first, *others = self.nodes
        first.start()
        # The others start together: joining waits for each anyway.
        for node in others:
            node.launch()
        for node in others:
            node.await_startup()
            for step in (("stop_app",), ("join_cluster", first.node), ("start_app",)):
                r = node.ctl(*step)
                if r.returncode != 0:
                    raise AssertionError(f"rabbitmqctl {' '.join(step)} on {node.node}: {r.stdout}{r.stderr}")
        running = first.ctl("cluster_status", "--formatter", "json").stdout
        for node in self.nodes:
            assert node.node in running, running
        return self

    def stop(self):
        for node in self.nodes:
            node.stop(kill_epmd=False)
        subprocess.run(["epmd", "-kill"], env=self.nodes[0].env, capture_output=True)


class OneServerPerClass:
    """Mixin: one broker server (`server_class`) for all tests of the class, stopped after the last."""

    server_class = None

    @classmethod
    def setUpClass(cls):
        cls.server = cls.server_class().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class BrokerTestCase:
    """Mixin for the broker tests: a fresh record folder, the sample app configured for the
    broker, and workers that are stopped after each test. Set `broker_env` in setUp first."""

    def start_app(self, broker_env):
        import unittest  # noqa: F401  (the mixin is used with unittest.TestCase)

        self.records = tempfile.mkdtemp(prefix="celerykit-records-")
        self.addCleanup(shutil.rmtree, self.records, True)
        self.records_logs = tempfile.mkdtemp(prefix="celerykit-worker-logs-")
        self.addCleanup(shutil.rmtree, self.records_logs, True)
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
        wait_until(lambda: answering_nodes(self.app, name), 60, what=f"worker {name}")
        return w

    def production_worker(self, queues, name, app_module="sampleapp", concurrency=1, extra_env=None):
        """A worker started like the kit's (constructs/celery/worker-command.ts): gossip, mingle and -E on.
        extra_env: more environment, such as the kit's shutdown settings (workerShutdownEnvironment)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app_module, "worker", "-Q", ",".join(queues), "-P", "prefork", "-c", str(concurrency),
             "--prefetch-multiplier=1", "-n", f"{name}@%h", "-E", "--loglevel=WARNING"],
            cwd=HERE, env={**self.env, **(extra_env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        worker = type("W", (), {})()
        worker.process = process
        worker.stop = lambda: Worker.stop(worker)
        self.workers.append(worker)
        wait_until(lambda: process.poll() is not None or answering_nodes(self.app, name),
                   60, what=f"worker {name}")
        self.assertIsNone(process.poll(), process.stderr.read().decode() if process.poll() is not None else "")
        return worker

    def kit_worker(self, name):
        """A worker with the kit's command line and environment; waits until it answers a ping."""
        import json

        deployed = json.loads(os.environ["CELERYKIT_WORKER"])
        w = KitWorker(self.env, deployed, name, self.records_logs)
        self.workers.append(w)
        try:
            wait_until(lambda: answering_nodes(self.app, name), 60, what=f"worker {name}")
        except AssertionError:
            raise AssertionError(f"worker {name} did not start: {w.output()[-3000:]}")
        return w

    def send(self, task, *args, **options):
        run_id = uuid.uuid4().hex
        self.app.send_task(task, args=[run_id, *args], **options)
        return run_id

    def assert_the_worker_runs_celery_5_6(self, tag):
        """Starts a worker and prints the versions it reports: the figures of the other tests are
        for Celery 5.6 (../shared/python-celery), not Debian's 5.2."""
        import celery
        import kombu

        self.worker(["default"], "version")
        reports = inspect_named(self.app, "version").report() or {}
        software = " ".join(r.get("ok", "") for n, r in reports.items() if n.startswith("version@"))
        print(f"\n[{tag}] celery {celery.__version__}, kombu {kombu.__version__} from {os.path.dirname(os.path.dirname(celery.__file__))}; "
              f"worker reports: {next((l.strip() for l in software.splitlines() if l.startswith('software')), 'nothing')}", file=sys.stderr)
        self.assertTrue(celery.__version__.startswith("5.6."), celery.__version__)
        self.assertIn(f"celery:{celery.__version__}", software)
        self.assertIn(f"kombu:{kombu.__version__}", software)

    def assert_each_task_class_goes_to_its_queue(self):
        self.worker(["email", "reports", "default"], "router")
        runs = {self.send("myapp.tasks.email.send"): "email", self.send("myapp.tasks.reports.build"): "reports", self.send("other.unrouted"): "default"}
        for run_id, queue in runs.items():
            wait_until(lambda: self.recorder.final(run_id), 30, what=f"task routed to {queue}")
            self.assertEqual(self.recorder.events("start", run_id)[0]["routing_key"], queue)

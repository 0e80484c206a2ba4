"""The kit's RabbitMQ users on a real RabbitMQ (Debian's rabbitmq-server with the management
plugin, a user-level node on loopback), created by the kit's own bootstrap program through the
management API the way Amazon MQ requires, with an administrator made the way Amazon MQ makes it.

What each user can do is checked by doing it with Celery and kombu: the app user runs a worker
(gossip, mingle, events, as the kit starts workers) and publishes tasks, the exporter user does
what celery-exporter does (events, inspect, passive queue declares), the Flower user also lists
queues through the management API; and what they must not do is refused by the broker.

Inputs from the TypeScript side: CELERYKIT_SETTINGS (the generated settings), CELERYKIT_USERS (the
users as the bootstrap reads them), CELERYKIT_BOOTSTRAP (the bootstrap program).
"""

import base64
import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.request
import uuid

import amqp
import celery
import kombu
from kombu.exceptions import OperationalError

from harness import BrokerTestCase, RabbitServer, inspect_named, wait_until

USERS = json.load(open(os.environ["CELERYKIT_USERS"]))
BOOTSTRAP = os.environ["CELERYKIT_BOOTSTRAP"]
BY_ROLE = {u["name"].split("-", 1)[1]: u for u in USERS}
ADMIN = {"username": "admin", "password": "admin-password-1"}


def refused(test, action, about=""):
    """Runs action and expects the broker to refuse it (AMQP 403 ACCESS_REFUSED, or a refused
    login or vhost), naming `about`."""
    with test.assertRaises(Exception) as caught:
        action()
    test.assertRegex(str(caught.exception), r"ACCESS_REFUSED|NOT_ALLOWED", repr(caught.exception))
    test.assertIn(about, str(caught.exception))


def publish(conn, exchange, routing_key):
    """A bare basic.publish, then a synchronous call on the channel, which raises the broker's
    refusal of the publish (publishes are not acknowledged otherwise)."""
    channel = conn.channel()
    channel.basic_publish(amqp.Message("x"), exchange=exchange, routing_key=routing_key)
    channel.basic_qos(0, 1, False)


class RabbitmqUsersTest(BrokerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"\n[rabbitmq-users] celery {celery.__version__}, kombu {kombu.__version__}", file=sys.stderr)
        cls.rabbit = RabbitServer(management=True).start()
        for args in (["add_user", ADMIN["username"], ADMIN["password"]], ["set_user_tags", ADMIN["username"], "administrator"],
                     ["set_permissions", "-p", "/", ADMIN["username"], ".*", ".*", ".*"], ["add_vhost", "other"]):
            out = cls.rabbit.ctl(*args)
            assert out.returncode == 0, out.stderr
        cls.passwords = {u["name"]: uuid.uuid4().hex for u in USERS}
        run = cls.bootstrap(cls.passwords)
        assert run.returncode == 0, run.stdout + run.stderr
        print(f"[rabbitmq-users] bootstrap: {'; '.join(run.stdout.strip().splitlines())}", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.rabbit.stop()

    @classmethod
    def url(cls, role, password=None):
        name = BY_ROLE[role]["name"]
        return f"amqp://{name}:{password or cls.passwords[name]}@127.0.0.1:{cls.rabbit.port}//"

    @classmethod
    def bootstrap(cls, passwords, admin=ADMIN):
        env = {**os.environ, "RABBITMQ_ADMIN": json.dumps(admin), "RABBITMQ_USERS": json.dumps(USERS),
               "RABBITMQ_API": f"http://127.0.0.1:{cls.rabbit.management_port}/api/"}
        for u in USERS:
            env[u["urlVariable"]] = f"amqp://{u['name']}:{passwords[u['name']]}@127.0.0.1:{cls.rabbit.port}//"
        return subprocess.run([sys.executable, BOOTSTRAP], env=env, capture_output=True, text=True, timeout=700)

    def api(self, method, path, role, body=None):
        name = BY_ROLE[role]["name"]
        auth = base64.b64encode(f"{name}:{self.passwords[name]}".encode()).decode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.rabbit.management_port}/api/{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, None

    def setUp(self):
        self.start_app({"CELERY_BROKER_URL": self.url("app"), "TEST_QUORUM_WITHOUT_GLOBAL_QOS": "1"})
        # Workers get the app's URL in their environment (self.env); this process must not keep it:
        # Celery prefers CELERY_BROKER_URL to the broker an app is built with (celery/app/utils.py,
        # Settings.broker_url), so an observer would silently connect as the app user.
        os.environ.pop("CELERY_BROKER_URL")

    def observer(self, role):
        """A bare app on the role's URL, as celery-exporter and `celery flower` build theirs."""
        app = celery.Celery(broker=self.url(role))
        self.addCleanup(app.close)
        self.assertEqual(app.conf.broker_url, self.url(role), f"the {role} observer connects as its own user")
        return app

    def test_the_bootstrap_gives_each_user_exactly_its_tags_and_permissions_and_reruns_cleanly(self):
        users = dict(line.split("\t", 1) for line in self.rabbit.ctl("list_users", "--no-table-headers", "--quiet").stdout.strip().split("\n"))
        perms = {p[0]: p[1:] for p in (line.split("\t") for line in self.rabbit.ctl("list_permissions", "-p", "/", "--no-table-headers", "--quiet").stdout.strip().split("\n"))}
        for u in USERS:
            self.assertEqual(users[u["name"]].strip("[]").split(", ") if u["tags"] else [], u["tags"] or [])
            self.assertEqual(perms[u["name"]], [u["permissions"]["configure"], u["permissions"]["write"], u["permissions"]["read"]])
        others = self.rabbit.ctl("list_user_permissions", BY_ROLE["app"]["name"], "--no-table-headers", "--quiet").stdout.strip().split("\n")
        self.assertEqual([line.split("\t")[0] for line in others], ["/"], "no user gets any other vhost")
        again = self.bootstrap(self.passwords)
        self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        wrong = self.bootstrap(self.passwords, admin={**ADMIN, "password": "not-the-password"})
        self.assertNotEqual(wrong.returncode, 0)
        self.assertIn("administrator is refused", wrong.stderr)

    def test_the_app_user_runs_workers_and_sends_tasks_but_cannot_administer_or_leave_its_resources(self):
        self.production_worker(["email", "reports", "default"], "default")
        now = self.send("myapp.tasks.email.send")
        later = self.send("myapp.tasks.reports.build", countdown=1)
        for run_id in (now, later):
            wait_until(lambda: self.recorder.final(run_id), 60, what="the task sent by the app user")
        with kombu.Connection(self.url("app")) as conn:
            refused(self, lambda: kombu.Queue("someone-elses-queue", channel=conn.channel()).declare(), "someone-elses-queue")
        refused(self, lambda: kombu.Connection(self.url("app")[:-1] + "other").connect(), "vhost 'other'")
        self.assertEqual(self.api("GET", "overview", "app")[0], 401, "no management API access at all")

    def test_the_exporter_user_reads_events_inspects_and_counts_queues_but_cannot_touch_tasks(self):
        self.production_worker(["email", "reports", "default"], "default")
        self.send("myapp.tasks.email.send")
        exporter = self.observer("exporter")
        with exporter.connection() as conn:
            seen = []
            exporter.events.Receiver(conn, handlers={"*": seen.append}).capture(limit=3, timeout=30, wakeup=True)
            self.assertTrue(seen, "events reach the exporter's own queue")
            stats = inspect_named(exporter, "default").stats() or {}
            self.assertTrue(any(n.startswith("default@") for n in stats), stats)
            active = inspect_named(exporter, "default").active_queues() or {}
            self.assertTrue(active, "active_queues answers")
            for queue in ("email", "reports", "default"):
                declared = conn.default_channel.queue_declare(queue=queue, passive=True)
                self.assertGreaterEqual(declared.message_count, 0)
            print(f"[rabbitmq-users] exporter: {len(seen)} events, {len(stats)} worker(s) in stats, queue lengths read", file=sys.stderr)
        with kombu.Connection(self.url("exporter")) as conn:
            refused(self, lambda: publish(conn, "email", "email"), "exchange 'email'")
            refused(self, lambda: publish(conn, "", "email"), "exchange 'amq.default'")
            refused(self, lambda: conn.channel().basic_consume("email", callback=lambda m: None), "queue 'email'")
            refused(self, lambda: conn.channel().queue_purge("email"), "queue 'email'")
            refused(self, lambda: conn.channel().queue_delete("email"), "queue 'email'")
        self.assertEqual(self.api("GET", "overview", "exporter")[0], 401)

    def test_the_flower_user_lists_the_queues_through_the_management_api_but_cannot_manage_users(self):
        self.production_worker(["email", "reports", "default"], "default")
        status, queues = self.api("GET", "queues/%2F", "flower")
        self.assertEqual(status, 200)
        self.assertTrue({"email", "reports", "default"} <= {q["name"] for q in queues})
        self.assertIn(self.api("PUT", "users/intruder", "flower", {"password": "x" * 16, "tags": "administrator"})[0], (401, 403))
        self.assertIn(self.api("GET", "users", "flower")[0], (401, 403))
        self.assertIn(self.api("GET", "queues/other", "flower")[0], (401, 403, 404))
        flower = self.observer("flower")
        self.assertTrue(inspect_named(flower, "default").ping(), "Flower's inspect calls answer")

    def test_a_rotated_password_replaces_the_old_one(self):
        rotated = {**self.passwords, BY_ROLE["exporter"]["name"]: uuid.uuid4().hex}
        run = self.bootstrap(rotated)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        try:
            refused(self, lambda: kombu.Connection(self.url("exporter")).connect(), "Login was refused")
            with kombu.Connection(self.url("exporter", rotated[BY_ROLE["exporter"]["name"]])) as conn:
                conn.connect()
        finally:
            self.assertEqual(self.bootstrap(self.passwords).returncode, 0)


if __name__ == "__main__":
    unittest.main()

"""The kit's Redis/Valkey ACL users (constructs/celery/redis-users.ts) on a real redis-server:
the access strings the construct gives ElastiCache are loaded with ACL SETUSER as they are, the
`default` user is switched off as the kit's user group does, and Celery 5.6 does what each
component does as its user: a worker with gossip, mingle and events (as the kit starts workers)
runs a task, a countdown and a retry; the exporter and Flower read events, inspect, broadcast and
read queue lengths, and run kombu's visibility restore as their inspect calls trigger it (the
lock and the lookup only: an overdue task is left to the app). Everything must work with no ACL
denial logged, and what each user must not do is refused.

The app user must also put back the task of a worker that stops or dies: kombu restores an
unacknowledged message with RPUSH (kombu/transport/redis.py `_do_restore_message`), when the
channel of a soft-shutdown worker closes (`QoS.restore_unacked`) and when a live worker finds a
message older than the visibility timeout (`QoS.restore_visible`). If the ACL refuses it, the
MULTI/EXEC aborts and the message stays in `unacked`, so the task never runs again.

Inputs from the TypeScript side: CELERYKIT_SETTINGS (the generated settings), CELERYKIT_REDIS_USERS
(the users: name and access string, the default user's access string, the queues, the app's
visibility timeout and celery-exporter's arguments), CELERYKIT_SHUTDOWN (the stop window and the
worker environment workerShutdownEnvironment gives it).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest
import uuid
from unittest import mock

import celery
import kombu
import kombu.transport.redis
import redis

from harness import BrokerTestCase, RedisServer, acl_denials, inspect_named, load_kit_redis_users, wait_until

USERS = json.loads(os.environ["CELERYKIT_REDIS_USERS"])
BY_ROLE = {u["role"]: u for u in USERS["users"]}
QUEUES = USERS["queues"]
SHUTDOWN = json.loads(os.environ["CELERYKIT_SHUTDOWN"])
# The app's visibility timeout (the generated settings) and celery-exporter's transport options as
# the kit deploys them (constructs/celery/exporter-args.ts).
APP_VISIBILITY_TIMEOUT = USERS["appVisibilityTimeout"]
EXPORTER_ARGS = USERS["exporterArgs"]


class RedisUsersTest(BrokerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"\n[redis-users] celery {celery.__version__}, kombu {kombu.__version__}, redis-py {redis.__version__}", file=sys.stderr)
        # DEBUG enabled, so that the ACL, not the server's own switch, is what refuses it below.
        cls.redis = RedisServer(persistence=(*RedisServer.DEFAULT_PERSISTENCE, "--enable-debug-command", "yes")).start()
        cls.passwords, cls.admin = load_kit_redis_users(cls.redis, USERS)

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()

    @classmethod
    def url(cls, role):
        name = BY_ROLE[role]["name"]
        return f"redis://{name}:{cls.passwords[name]}@127.0.0.1:{cls.redis.port}/0"

    def client(self, role):
        name = BY_ROLE[role]["name"]
        c = redis.Redis(host="127.0.0.1", port=self.redis.port, username=name, password=self.passwords[name])
        self.addCleanup(c.close)
        return c

    def setUp(self):
        # One server for the class: no test may see another's queues or unacked messages.
        self.admin.flushall()
        self.admin.execute_command("ACL", "LOG", "RESET")
        self.start_app({"CELERY_BROKER_URL": self.url("app")})
        # Workers get the app's URL in their environment (self.env); this process must not keep it:
        # Celery prefers CELERY_BROKER_URL to the broker an app is built with (celery/app/utils.py,
        # Settings.broker_url), so an observer would silently connect as the app.
        os.environ.pop("CELERY_BROKER_URL")

    def denials(self):
        return acl_denials(self.admin)

    def assert_no_denials(self):
        self.assertEqual(self.denials(), [], "a component was refused a command, key or channel it uses")

    def refused(self, role, *command):
        with self.assertRaises(redis.exceptions.NoPermissionError, msg=f"{role} may {' '.join(command)}"):
            self.client(role).execute_command(*command)

    def observer(self, role):
        """An app on the role's URL, as celery-exporter and `celery flower` build theirs: bare for
        Flower; for the exporter with the kit's --broker-transport-option values, parsed as
        celery-exporter 0.12.2 parses them (src/exporter.py:365-376, transform_option_value :467)."""
        app = celery.Celery(broker=self.url(role))
        if role == "exporter":
            options = [a.split("=", 1)[1] for a in EXPORTER_ARGS if a.startswith("--broker-transport-option=")]
            app.conf["broker_transport_options"] = {k: int(v) if v.isnumeric() else v for k, v in (o.split("=", 1) for o in options)}
        self.addCleanup(app.close)
        self.assertIn(f"//{BY_ROLE[role]['name']}:", app.connection().as_uri(include_password=False))
        return app

    def capture_events(self, app, conn, seen, timeout=60):
        """Events as celery-exporter and Flower read them (events.Receiver), until one arrives.
        wakeup: each capture broadcasts a heartbeat request, so workers answer at once."""
        deadline = time.time() + timeout
        receiver = app.events.Receiver(conn, handlers={"*": seen.append})
        while not seen and time.time() < deadline:
            try:
                receiver.capture(limit=3, timeout=5, wakeup=True)
            except socket.timeout:
                pass

    def count_restores(self):
        """The user name of each visibility restore this process runs: kombu's QoS.restore_visible
        takes `Mutex` (kombu/transport/redis.py:417) only on the runs it does not skip (:412), so
        wrapping it counts them without changing what they send."""
        users = []
        real = kombu.transport.redis.Mutex

        def counting(client, name, expire):
            users.append(client.connection_pool.connection_kwargs.get("username"))
            return real(client, name, expire)

        patcher = mock.patch.object(kombu.transport.redis, "Mutex", counting)
        patcher.start()
        self.addCleanup(patcher.stop)
        return users

    def idle_inspects(self, app, calls, timeout):
        """Inspect calls addressed to every worker, as Flower and celery-exporter make them: each
        waits out its timeout, shorter than or equal to kombu's 1 s BRPOP, so it ends on an empty poll."""
        return [app.control.inspect(timeout=timeout).ping() or {} for _ in range(calls)]

    def abandon_unacked(self, queue):
        """A consumer of the app that takes a message and is killed with SIGKILL before it acks:
        kombu has written the message to `unacked` and `unacked_index` (QoS.append). Returns its tag."""
        code = ("import os, signal, celery; ch = celery.Celery(broker=os.environ['URL']).connection().default_channel; "
                f"m = ch.basic_get({queue!r}, no_ack=False); print(m.delivery_tag, flush=True); os.kill(os.getpid(), signal.SIGKILL)")
        r = subprocess.run([sys.executable, "-c", code], env={**self.env, "URL": self.url("app")}, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, -signal.SIGKILL, r.stderr)
        tag = r.stdout.strip()
        # One server for the class: no other test may find this message overdue.
        self.addCleanup(lambda: self.admin.pipeline().hdel("unacked", tag).zrem("unacked_index", tag).execute())
        self.assertIsNotNone(self.admin.zscore("unacked_index", tag), "the killed consumer's message is in unacked_index")
        return tag

    def assert_connected_as(self, role):
        """The server itself says a connection of the role's user is open."""
        users = {c["user"] for c in self.admin.client_list()}
        self.assertIn(BY_ROLE[role]["name"], users)

    def test_the_app_user_runs_a_worker_with_events_and_sends_tasks_and_countdowns(self):
        self.production_worker(QUEUES, "default", app_module="usersapp", concurrency=2)
        now = self.send("myapp.tasks.email.send")
        later = self.send("myapp.tasks.reports.build", countdown=1)
        for run_id in (now, later):
            wait_until(lambda: self.recorder.final(run_id), 60, what="the task sent by the app user")
        self.assertTrue(inspect_named(self.app, "default").ping(), "inspect ping as the app user")
        self.assert_no_denials()
        print("[redis-users] app: task, countdown, inspect ping; no ACL denial", file=sys.stderr)

    def test_the_app_user_retries_a_task(self):
        self.production_worker(QUEUES, "default", app_module="usersapp", concurrency=2)
        run_id = uuid.uuid4().hex
        self.app.send_task("celerykit.test.retry_once", args=[run_id])
        wait_until(lambda: self.recorder.final(run_id), 60, what="the retried task")
        self.assertEqual(len(self.recorder.events("start", run_id)), 2, "ran, retried, ran again")
        self.assert_no_denials()

    def started_on(self, run_id, worker_name, timeout):
        """Seconds until the task started on the named worker, or AssertionError after timeout."""
        since = time.time()
        wait_until(lambda: [e for e in self.recorder.events("start", run_id) if (e["hostname"] or "").startswith(f"{worker_name}@")], timeout,
                   what=f"the task on worker {worker_name}")
        return time.time() - since

    def test_the_app_user_puts_back_the_task_a_soft_shutdown_cuts_off(self):
        env = SHUTDOWN["env"]
        first = self.production_worker(QUEUES, "first", app_module="usersapp", extra_env=env)
        run_id = self.send("myapp.tasks.reports.build", 600.0)
        wait_until(lambda: self.recorder.events("start", run_id), 60, what="the long task on the first worker")
        self.production_worker(QUEUES, "second", app_module="usersapp", extra_env=env)
        sent = time.time()
        first.process.send_signal(signal.SIGTERM)
        # The stop window, as the platform keeps it (it would SIGKILL then); without RPUSH the task
        # would come back after the visibility timeout only, far beyond the wait below.
        first.process.wait(SHUTDOWN["stopWindowSeconds"])
        exited = time.time() - sent
        back_after = exited + self.started_on(run_id, "second", 30)
        self.assert_no_denials()
        print(f"[redis-users] app: SIGTERM mid-task ({env}): the first worker exited after {exited:.1f} s, "
              f"the task restarted on the second {back_after:.1f} s after SIGTERM; no ACL denial", file=sys.stderr)

    def test_the_app_user_puts_back_the_task_of_a_crashed_worker_once_it_is_overdue(self):
        first = self.production_worker(QUEUES, "first", app_module="usersapp")
        run_id = self.send("myapp.tasks.reports.build", 600.0)
        wait_until(lambda: self.recorder.events("start", run_id), 60, what="the long task on the first worker")
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait()
        overdue = self.admin.zrange("unacked_index", 0, -1)
        self.assertEqual(len(overdue), 1, "the killed worker's task waits in unacked")
        # As if the visibility timeout had passed: the delivery time, as kombu scores it, set to 1970.
        self.admin.zadd("unacked_index", {tag: 1 for tag in overdue})
        # A new worker restores overdue messages when its event loop starts, then every 10 s
        # (kombu/transport/redis.py on_poll_init, maybe_restore_messages).
        self.production_worker(QUEUES, "second", app_module="usersapp")
        back_after = self.started_on(run_id, "second", 60)
        self.assertEqual(self.admin.hlen("unacked"), 1, "the restored task is unacked again, on the second worker")
        self.assert_no_denials()
        print(f"[redis-users] app: worker killed (SIGKILL) mid-task, its message overdue: the task restarted on a new worker "
              f"{back_after:.1f} s after it answered; no ACL denial", file=sys.stderr)

    def test_the_exporter_user_reads_events_inspects_and_counts_queues(self):
        self.production_worker(QUEUES, "default", app_module="usersapp", concurrency=2)
        self.send("myapp.tasks.email.send")
        exporter = self.observer("exporter")
        with exporter.connection() as conn:
            seen = []
            self.capture_events(exporter, conn, seen)
            self.assertTrue(seen, "events reach the exporter")
            self.assert_connected_as("exporter")
            stats = inspect_named(exporter, "default").stats() or {}
            self.assertTrue(any(n.startswith("default@") for n in stats), stats)
            self.assertTrue(inspect_named(exporter, "default").active_queues(), "active_queues answers")
            # celery-exporter's redis_queue_length: LLEN of the queue on the transport's client
            for queue in QUEUES:
                self.assertGreaterEqual(conn.default_channel.client.llen(queue), 0)
        self.assert_no_denials()
        print(f"[redis-users] exporter: {len(seen)} events, {len(stats)} worker(s) in stats, queue lengths; no ACL denial", file=sys.stderr)

    def test_the_flower_user_reads_events_inspects_broadcasts_and_counts_priority_queues(self):
        self.production_worker(QUEUES, "default", app_module="usersapp", concurrency=2)
        flower = self.observer("flower")
        with flower.connection() as conn:
            seen = []
            flower.control.enable_events()
            self.capture_events(flower, conn, seen)
            self.assertTrue(seen, "events reach Flower")
            self.assert_connected_as("flower")
        self.assertTrue(inspect_named(flower, "default").ping(), "Flower's inspect calls answer")
        self.assertIsNotNone(inspect_named(flower, "default").registered())
        # flower/utils/broker.py: LLEN of each queue and its priority sub-queues, with redis-py
        client = self.client("flower")
        sep, steps = "\x06\x16", [0, 3, 6, 9]
        for queue in QUEUES:
            self.assertGreaterEqual(sum(client.llen(queue if p == 0 else f"{queue}{sep}{p}") for p in steps), 0)
        self.assert_no_denials()
        print(f"[redis-users] flower: {len(seen)} events, ping, registered, queue lengths; no ACL denial", file=sys.stderr)

    def test_observers_inspect_with_flowers_and_the_exporters_timeouts_and_run_the_visibility_restore_without_denial(self):
        self.production_worker(QUEUES, "default", app_module="usersapp", concurrency=2)
        restores = self.count_restores()
        for role in ("exporter", "flower"):
            app = self.observer(role)
            # Flower's default --inspect_timeout is 1000 ms and celery-exporter uses Celery's 1.0 s;
            # 0.5 s is a shorter setting. 12 calls: kombu restores on the 1st and the 11th idle poll.
            for timeout in (1.0, 0.5):
                replies = self.idle_inspects(app, 12, timeout)
                # On a loaded machine a reply may miss a short timeout; what must not happen is an error.
                answered = sum(any(n.startswith("default@") for n in r) for r in replies)
                self.assertGreater(answered, 0, f"no inspect call of {timeout} s as {role} got the worker's reply")
            runs = restores.count(BY_ROLE[role]["name"])
            self.assertGreaterEqual(runs, 2, f"the visibility restore ran {runs} time(s) as {role}")
            self.assertIsNone(self.admin.get("unacked_mutex"), "the restore's lock is released")
            print(f"[redis-users] {role}: 24 inspect calls (12 x 1.0 s, 12 x 0.5 s, the last {answered} answered), {runs} visibility restores", file=sys.stderr)
        self.assert_no_denials()

    def test_an_overdue_message_is_never_restored_by_an_observer(self):
        self.send("myapp.tasks.email.send")
        tag = self.abandon_unacked("email")
        # Overdue for the workers (and for kombu's default of 3600 s), as if the consumer had died
        # that long ago: the score is the delivery time (QoS.append).
        age = max(APP_VISIBILITY_TIMEOUT, 3600) + 600
        self.admin.zadd("unacked_index", {tag: time.time() - age}, xx=True)
        restores = self.count_restores()

        # The exporter, with the kit's visibility timeout, finds nothing overdue: its restores
        # take and release the lock, read the index, and leave the message alone.
        exporter = self.observer("exporter")
        self.assertEqual(self.idle_inspects(exporter, 12, 0.5), [{}] * 12, "no worker runs: no reply, and no error")
        self.assertGreaterEqual(restores.count(BY_ROLE["exporter"]["name"]), 2)
        self.assertEqual(self.denials(), [], "the exporter's restores need nothing it lacks")
        self.assertIsNotNone(self.admin.hget("unacked", tag), "the exporter did not touch the message")

        # A bare observer (kombu's default 3600 s, as Flower has) finds it overdue, and its restore is
        # refused at WATCH: the inspect call raises, the lock is released (Mutex's finally), and
        # the message stays where the app's restore finds it.
        flower = self.observer("flower")
        with self.assertRaises(redis.exceptions.NoPermissionError):
            flower.control.inspect(timeout=0.5).ping()
        self.assertIsNone(self.admin.get("unacked_mutex"), "the refused restore released its lock")
        self.assertIsNotNone(self.admin.hget("unacked", tag), "the refused restore changed nothing")
        self.assertEqual(self.admin.llen("email"), 0)
        self.assertEqual({(d["username"], d["object"]) for d in self.denials()}, {(BY_ROLE["flower"]["name"], "watch")})
        print(f"[redis-users] overdue message ({age} s): exporter 12 calls, no denial; bare observer refused at WATCH, "
              "lock released, message kept", file=sys.stderr)

    def test_no_user_may_administer_the_server_and_observers_may_not_touch_tasks(self):
        for role in BY_ROLE:
            for command in (("FLUSHALL",), ("FLUSHDB",), ("CONFIG", "GET", "*"), ("KEYS", "*"), ("DEBUG", "SLEEP", "0"),
                            ("SHUTDOWN", "NOSAVE"), ("ACL", "SETUSER", "intruder", "on", "+@all"), ("SCRIPT", "FLUSH"), ("CLIENT", "KILL", "ID", "1"),
                            ("EVAL", "return 1", "0"), ("MONITOR",)):
                self.refused(role, *command)
        for role in ("exporter", "flower"):
            queue = QUEUES[0]
            self.refused(role, "LPUSH", queue, "x")
            self.refused(role, "RPOP", queue)
            self.refused(role, "BRPOP", queue, "0.1")
            self.refused(role, "DEL", queue)
            self.refused(role, "HGETALL", "unacked")
            self.refused(role, "HGET", "unacked", "tag")
            self.refused(role, "RPUSH", queue, "x")
            self.refused(role, "WATCH", "unacked")
            self.refused(role, "ZADD", "unacked_index", "1", "x")
            self.refused(role, "ZREM", "unacked_index", "x")
            self.refused(role, "SET", queue, "x")
            self.refused(role, "SET", "unacked", "x")
            self.refused(role, "SADD", f"_kombu.binding.{queue}", "x")
        with self.assertRaises(redis.exceptions.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=self.redis.port).ping()
        print("[redis-users] refused: FLUSHALL, FLUSHDB, CONFIG, KEYS, DEBUG, SHUTDOWN, ACL, SCRIPT FLUSH, CLIENT KILL, EVAL, MONITOR for all; "
              "task writes and reads, unacked payloads and the restore's writes for exporter and flower; the default user", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()

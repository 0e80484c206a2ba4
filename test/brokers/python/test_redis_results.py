"""Task results as the kit stores them when a parameter file opts in (`results`), on a real
redis-server with Celery 5.6: the generated settings (result_backend on the broker's URL,
result_expires), the ACL users as the kit gives them to ElastiCache, a worker of the app user that
runs tasks, a group and a chord, and the caller reading every result back through the backend as
the app user. No ACL denial may be logged, every result key must carry a TTL of at most
result_expires, and every one must be gone once it has passed.

Inputs from the TypeScript side: CELERYKIT_SETTINGS, CELERYKIT_REDIS_USERS (as for
test_redis_users) and CELERYKIT_RESULT_EXPIRES (the expiry the file asked for).
"""

import json
import os
import sys
import time
import unittest

import celery
import redis

from harness import BrokerTestCase, RedisServer, acl_denials, load_kit_redis_users, wait_until

USERS = json.loads(os.environ["CELERYKIT_REDIS_USERS"])
BY_ROLE = {u["role"]: u for u in USERS["users"]}
QUEUES = USERS["queues"]
EXPIRES = int(os.environ["CELERYKIT_RESULT_EXPIRES"])
# The commands the kit grants the app user only when results are on.
RESULT_COMMANDS = json.loads(os.environ["CELERYKIT_RESULT_COMMANDS"])
# The TLS part of the broker URLs the stacks write (after "/0?"): AWS (ElastiCache, a public CA)
# and GCP (Memorystore, its CA in a file at GCP_CA_PATH on the VM).
URL_QUERIES = json.loads(os.environ["CELERYKIT_URL_QUERIES"])
GCP_CA_PATH = os.environ["CELERYKIT_GCP_CA_PATH"]
# What Celery's Redis backend writes: task and group meta, and a chord's .j/.t/.s keys under the group prefix.
RESULT_PREFIXES = ("celery-task-meta-", "celery-taskset-meta-", "chord-unlock-")
# What the broker itself keeps (kombu's Redis transport), which must not expire.
BROKER_KEYS = ("_kombu.binding.", "unacked", "unacked_index", "unacked_mutex")


class RedisResultsTest(BrokerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"\n[redis-results] celery {celery.__version__}, redis-py {redis.__version__}, result_expires {EXPIRES} s", file=sys.stderr)
        cls.redis = RedisServer().start()
        cls.passwords, cls.admin = load_kit_redis_users(cls.redis, USERS)
        policy = cls.admin.config_get("maxmemory-policy")["maxmemory-policy"]
        assert policy == "noeviction", policy

    @classmethod
    def tearDownClass(cls):
        cls.redis.stop()

    def setUp(self):
        self.admin.execute_command("ACL", "LOG", "RESET")
        name = BY_ROLE["app"]["name"]
        # The caller is an app process too: broker and result backend on the app user's URL.
        self.start_app({"CELERY_BROKER_URL": f"redis://{name}:{self.passwords[name]}@127.0.0.1:{self.redis.port}/0"})
        sys.modules.pop("resultsapp", None)
        import resultsapp  # noqa: F401  (its tasks, and the redis-py stand-in the backend import needs here)
        self.assertEqual(self.app.conf.result_backend, os.environ["CELERY_BROKER_URL"], "the backend is the broker URL the settings read")
        self.assertEqual(self.app.conf.result_expires, EXPIRES)
        self.assertFalse(self.app.conf.task_ignore_result)
        self.production_worker(QUEUES, "results", app_module="resultsapp", concurrency=2)

    def denials(self):
        return acl_denials(self.admin)

    def result_keys(self):
        return [k for k in self.admin.scan_iter(count=1000) if k.startswith(RESULT_PREFIXES)]

    def assert_all_expire(self, keys):
        ttls = {k: self.admin.pttl(k) for k in keys}
        self.assertTrue(all(0 < t <= EXPIRES * 1000 for t in ttls.values()), f"result keys without a TTL of at most {EXPIRES} s: {ttls}")
        return ttls

    def test_a_result_reaches_the_caller_through_the_backend_and_expires(self):
        r = self.app.send_task("celerykit.test.add", args=[2, 3])
        self.assertEqual(r.get(timeout=30), 5)
        read_at = time.time()
        key = f"celery-task-meta-{r.id}"
        ttl = self.assert_all_expire([key])[key]
        size = self.admin.memory_usage(key)
        wait_until(lambda: self.admin.exists(key) == 0, EXPIRES + 5, interval=0.05, what=f"{key} to expire")
        gone_after = time.time() - read_at
        # Gone when its TTL ran out: not much earlier (the TTL is result_expires), not later.
        self.assertGreater(gone_after, ttl / 1000 - 0.5)
        self.assertLess(gone_after, EXPIRES + 1.5)
        self.assertEqual(self.denials(), [], "the app user was refused a command of the result backend")
        print(f"[redis-results] task: result 5 read by the caller; key TTL {ttl} ms <= {EXPIRES * 1000} ms, {size} bytes of memory; gone {gone_after:.2f} s after the read; no ACL denial", file=sys.stderr)

    def test_groups_and_chords_leave_no_key_without_expiry(self):
        from celery import chord, group

        add = self.app.signature("celerykit.test.add")
        g = group(add.clone(args=(i, i)) for i in range(4)).apply_async()
        self.assertEqual(g.get(timeout=30), [0, 2, 4, 6])
        g.save()
        # grow(1) adds add(1, 1) to its chord: 1 + 2 + 4.
        c = chord([self.app.signature("celerykit.test.grow", args=(1,)), add.clone(args=(2, 2))], self.app.signature("celerykit.test.total")).apply_async()
        self.assertEqual(c.get(timeout=30), 7)
        self.assertEqual(self.app.GroupResult.restore(g.id).id, g.id)
        keys = self.result_keys()
        ttls = self.assert_all_expire(keys)
        without_ttl = [k for k in self.admin.scan_iter(count=1000) if self.admin.ttl(k) == -1]
        unexpected = [k for k in without_ttl if k not in QUEUES and not k.startswith(BROKER_KEYS)]
        self.assertEqual(unexpected, [], "keys other than the broker's own that never expire")
        self.assertIn(f"celery-taskset-meta-{g.id}", keys)
        listed_at = time.time()
        wait_until(lambda: not self.result_keys(), EXPIRES + 5, interval=0.1, what="every result key to expire")
        gone_after = time.time() - listed_at
        self.assertLess(gone_after, EXPIRES + 1.5)
        self.assertEqual(self.denials(), [], "the app user was refused a command of the result backend")
        print(f"[redis-results] group of 4, saved group, chord of 2 grown to 3: {len(keys)} result keys, longest TTL {max(ttls.values())} ms <= {EXPIRES * 1000} ms, "
              f"{len(without_ttl)} broker keys without TTL ({', '.join(sorted(without_ttl))}); all result keys gone {gone_after:.2f} s after the listing; no ACL denial", file=sys.stderr)

    def test_a_chord_whose_header_outlasts_the_expiry_never_runs_its_body(self):
        """Why the kit warns when results.expires is shorter than a pool's time limit: the chord's
        size key expires while its only header task still runs."""
        from celery import chord

        slow = self.app.signature("celerykit.test.slow_add", args=(1, 1, EXPIRES + 1.5))
        c = chord([slow], self.app.signature("celerykit.test.total")).apply_async()
        header = c.parent.results[0]
        self.assertEqual(header.get(timeout=30), 2)
        time.sleep(2)
        self.assertEqual(c.state, "PENDING", "the chord body ran although its size key had expired")
        self.assertEqual(self.denials(), [])
        print(f"[redis-results] chord with a {EXPIRES + 1.5:.1f} s header task and result_expires {EXPIRES} s: header done, body still PENDING 2 s later (never runs)", file=sys.stderr)

    def test_unread_results_keep_a_subscription_per_task_in_the_sender(self):
        """What docs/tasks.md warns senders about: Celery subscribes to each task's result channel
        when it sends the task (RedisBackend.on_task_call) and unsubscribes only once it reads
        the result, so a process that never reads keeps one channel per task sent."""
        sent = [self.app.send_task("celerykit.test.add", args=[i, 1]) for i in range(200)]
        # The queue is worked off in order: once the last result is written, (nearly) all are.
        wait_until(lambda: self.admin.exists(f"celery-task-meta-{sent[-1].id}"), 60, interval=0.05, what="the last of the 200 results")
        channels = [c for c in self.admin.pubsub_channels("celery-task-meta-*")]
        sender = [c for c in self.admin.client_list() if int(c.get("sub", 0)) > 0]
        self.assertGreaterEqual(len(channels), 200)
        print(f"[redis-results] 200 tasks sent, no result read: {len(channels)} result channels subscribed by the sender, "
              f"its pub/sub connection holding {max(int(c['omem']) for c in sender)} bytes of unread output on the server", file=sys.stderr)

    def test_z_every_command_granted_for_results_was_issued(self):
        """Runs last (unittest sorts by name): after the tests above, each command the kit adds to
        the app user for results has been used by Celery, so none is granted in vain."""
        stats = self.admin.info("commandstats")
        calls = {c: stats.get(f"cmdstat_{c.replace('|', '_')}", {}).get("calls", 0) for c in RESULT_COMMANDS}
        self.assertTrue(RESULT_COMMANDS, "the kit grants no command for results")
        self.assertEqual([c for c, n in calls.items() if n == 0], [], f"granted for results but never issued: {calls}")
        print(f"[redis-results] calls of the commands granted for results: {', '.join(f'{c} {n}' for c, n in calls.items())}", file=sys.stderr)


class RedisResultsOverTlsTest(BrokerTestCase, unittest.TestCase):
    """The backend on the broker URL as the stacks write it, TLS with a verified certificate
    included: the same URL must serve the transport and Celery's Redis backend, which parses it
    itself (celery/backends/redis.py `_params_from_url`)."""

    def run_a_task_over(self, server, url, extra_env):
        self.start_app({"CELERY_BROKER_URL": url, **extra_env})
        for name in ("CELERY_BROKER_URL", *extra_env):
            self.addCleanup(os.environ.pop, name, None)
        sys.modules.pop("resultsapp", None)
        import resultsapp  # noqa: F401

        backend = self.app.backend
        self.assertEqual(backend.connparams["connection_class"], redis.SSLConnection)
        self.production_worker(QUEUES, "tls", app_module="resultsapp")
        r = self.app.send_task("celerykit.test.add", args=[20, 22])
        self.assertEqual(r.get(timeout=30), 42)
        return backend.connparams

    def test_the_aws_url_with_the_app_user_and_a_verified_certificate(self):
        server = RedisServer(tls=True).start()
        self.addCleanup(server.stop)
        passwords, admin = load_kit_redis_users(server, USERS)
        name = BY_ROLE["app"]["name"]
        url = f"rediss://{name}:{passwords[name]}@127.0.0.1:{server.port}/0?{URL_QUERIES['aws']}"
        # ElastiCache's certificate chains to a public CA in the system store; here the test CA stands in for it.
        params = self.run_a_task_over(server, url, {"SSL_CERT_FILE": server.ca_file})
        self.assertEqual(params["username"], name)
        self.assertEqual(acl_denials(admin), [])
        # The certificate is checked: without the CA that signed it, the same URL does not connect.
        os.environ.pop("SSL_CERT_FILE")
        with self.assertRaises(redis.exceptions.ConnectionError):
            redis.Redis.from_url(url, socket_timeout=5).ping()
        print(f"[redis-results] TLS, AWS URL (?{URL_QUERIES['aws']}): result 42 as {name}, certificate verified (cert_reqs {params['ssl_cert_reqs']!r}; refused without its CA); no ACL denial", file=sys.stderr)

    def test_the_gcp_url_with_the_instance_ca_file(self):
        # Memorystore as the kit creates it: no authentication, TLS with the instance's CA.
        server = RedisServer(tls=True).start()
        self.addCleanup(server.stop)
        query = URL_QUERIES["gcp"].replace(GCP_CA_PATH, server.ca_file)
        self.assertNotEqual(query, URL_QUERIES["gcp"], "the GCP URL names the CA file")
        params = self.run_a_task_over(server, f"rediss://127.0.0.1:{server.port}/0?{query}", {})
        self.assertEqual(params["ssl_ca_certs"], server.ca_file)
        print(f"[redis-results] TLS, GCP URL (?{URL_QUERIES['gcp']}): result 42, certificate verified against the CA file", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()

"""The playbook's promises on a real Redis server (Debian's redis-server on loopback), with the
Celery settings celerykit generated and Celery 5.6. Figures are printed for the test log."""

import sys
import time
import unittest

import redis

from harness import BrokerTestCase, RedisServer, wait_until


class RedisBrokerTest(BrokerTestCase, unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer().start()
        self.addCleanup(self.redis.stop)
        self.start_app({"CELERY_BROKER_URL": self.redis.url, "TEST_VISIBILITY_TIMEOUT": "5"})

    def test_the_worker_runs_celery_5_6(self):
        self.assert_the_worker_runs_celery_5_6("redis")

    def test_each_task_class_goes_to_its_queue(self):
        self.assert_each_task_class_goes_to_its_queue()

    def test_a_task_killed_mid_run_runs_again_after_the_visibility_timeout_and_writes_once(self):
        first = self.worker(["reports"], "first")
        run_id = self.send("myapp.tasks.reports.build", 3.0)
        wait_until(lambda: self.recorder.events("start", run_id), 30, what="first attempt")
        first.kill_hard()
        killed_at = time.time()
        # kombu looks for expired unacknowledged messages when a consumer starts and then about
        # every 100 s; start the next worker once the visibility timeout has passed.
        time.sleep(6)
        self.worker(["reports"], "second")
        wait_until(lambda: self.recorder.final(run_id), 60, what="redelivered task to finish")
        starts = self.recorder.events("start", run_id)
        writes = self.recorder.events("final-write", run_id)
        print(f"\n[redis] SIGKILL mid-task: {len(starts)} runs, {len(writes)} final write, "
              f"redelivered {starts[-1]['at'] - killed_at:.1f}s after the kill (visibility timeout 5s)", file=sys.stderr)
        self.assertEqual(len(starts), 2)
        self.assertEqual(len(writes), 1)
        self.assertGreaterEqual(starts[-1]["at"] - starts[0]["at"], 4.5)

    def prefetch_scenario(self, prefetch):
        """Worker A alone takes a long task and, with a large prefetch, the short task behind it;
        then worker B starts idle. Returns the worker that ran the short task and its wait."""
        self.worker(["email"], f"a{prefetch}", prefetch=prefetch)
        long_run = self.send("myapp.tasks.reports.build", 8.0, queue="email")
        wait_until(lambda: self.recorder.events("start", long_run), 30, what="long task")
        short_sent = time.time()
        short_run = self.send("myapp.tasks.email.send")
        time.sleep(1.0)
        self.worker(["email"], f"b{prefetch}", prefetch=prefetch)
        wait_until(lambda: self.recorder.final(short_run), 60, what="short task")
        start = self.recorder.events("start", short_run)[0]
        return start["hostname"].split("@")[0], start["at"] - short_sent

    def test_prefetch_one_lets_an_idle_worker_take_the_short_task(self):
        ran_on_1, wait_1 = self.prefetch_scenario(1)
        self._stop_all()
        self.workers = []
        ran_on_4, wait_4 = self.prefetch_scenario(4)
        print(f"\n[redis] short task behind a long one: prefetch 1 -> ran on {ran_on_1} after {wait_1:.1f}s; "
              f"prefetch 4 -> ran on {ran_on_4} after {wait_4:.1f}s", file=sys.stderr)
        self.assertEqual(ran_on_1, "b1")
        self.assertEqual(ran_on_4, "a4")
        self.assertLess(wait_1, wait_4)

    def test_aof_everysec_keeps_what_was_enqueued_a_second_before_a_crash(self):
        client = redis.Redis(host="127.0.0.1", port=self.redis.port)
        n = 2000
        for _ in range(n):
            self.send("myapp.tasks.email.send")
        time.sleep(1.5)
        self.redis.kill_hard()
        self.redis.start()
        survived_settled = client.llen("email")
        client.delete("email")
        time.sleep(1.5)
        for _ in range(n):
            self.send("myapp.tasks.email.send")
        self.redis.kill_hard()
        self.redis.start()
        survived_instant = client.llen("email")
        print(f"\n[redis] kill -9 with appendfsync everysec: {survived_settled}/{n} survived when killed 1.5s after the last enqueue; "
              f"{survived_instant}/{n} when killed right after it", file=sys.stderr)
        self.assertEqual(survived_settled, n)
        self.assertLessEqual(survived_instant, n)


if __name__ == "__main__":
    unittest.main()

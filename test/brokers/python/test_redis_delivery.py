"""The poison-message cap on Redis with the generated settings and the kit's worker (Celery 5.6).
Redis counts no deliveries, so the settings set task_reject_on_worker_lost = False on Redis: a task
that kills its prefork child (as an out-of-memory kill does) is failed with WorkerLostError and
acknowledged, not returned to the queue, so it runs once. The visibility timeout is cut to 5 s and a
second worker starts after it (kombu restores expired unacknowledged messages when a consumer
starts), so a message left unacknowledged would run again within the test.

CELERYKIT_WORKER holds the synthesized worker, CELERYKIT_SETTINGS the generated settings and
CELERYKIT_QUEUE the queue that worker consumes.
"""

import os
import sys
import time
import unittest

import redis

from harness import BrokerTestCase, OneServerPerClass, RedisServer, wait_until

VISIBILITY_TIMEOUT = 5


class RedisDeliveryTest(OneServerPerClass, BrokerTestCase, unittest.TestCase):
    server_class = RedisServer

    def setUp(self):
        self.start_app({"CELERY_BROKER_URL": self.server.url, "TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
        self.queue = os.environ["CELERYKIT_QUEUE"]
        self.redis = redis.Redis(host="127.0.0.1", port=self.server.port)

    def test_a_task_that_kills_its_child_runs_once_and_is_not_returned(self):
        reject_on_worker_lost = self.app.conf.task_reject_on_worker_lost
        first = self.kit_worker("poisoned")
        run_id = self.send("celerykit.test.poison", queue=self.queue)
        wait_until(lambda: "WorkerLostError" in first.output(), 30, interval=0.5, what="the worker to report its child lost")
        # Past the visibility timeout, a new consumer restores whatever is still unacknowledged.
        time.sleep(VISIBILITY_TIMEOUT + 1)
        self.kit_worker("second")
        time.sleep(8)
        runs = len(self.recorder.events("start", run_id))
        unacked = self.redis.hlen("unacked")
        waiting = self.redis.llen(self.queue)
        print(f"\n[redis] poison task (task_reject_on_worker_lost={reject_on_worker_lost}, visibility timeout cut to {VISIBILITY_TIMEOUT} s): "
              f"ran {runs} time(s), failed with WorkerLostError: True; {VISIBILITY_TIMEOUT + 9} s later unacknowledged: {unacked}, "
              f"waiting in {self.queue}: {waiting}", file=sys.stderr)
        self.assertEqual(runs, 1)
        self.assertEqual(unacked, 0)
        self.assertEqual(waiting, 0)


if __name__ == "__main__":
    unittest.main()

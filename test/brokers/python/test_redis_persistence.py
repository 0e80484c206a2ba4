"""Redis kill -9 with the persistence the kit deploys (CELERYKIT_REDIS_ARGS: the stack's
Memorystore persistence_config mapped to redis-server options by the TypeScript test), while a
producer enqueues continuously with the generated settings: what is lost is at most what was
enqueued in the last moments before the kill."""

import json
import os
import sys
import threading
import time
import unittest

import redis

from harness import BrokerTestCase, RedisServer

ARGS = json.loads(os.environ["CELERYKIT_REDIS_ARGS"])
MARGIN_SECONDS = 1.0


class RedisPersistenceTest(BrokerTestCase, unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer(ARGS).start()
        self.addCleanup(self.redis.stop)
        self.start_app({"CELERY_BROKER_URL": self.redis.url})

    def test_kill_9_while_enqueueing_loses_at_most_the_last_second(self):
        queue = os.environ["CELERYKIT_QUEUE"]
        confirmed = []  # time each enqueue returned, i.e. Redis answered the LPUSH
        stop = threading.Event()

        def produce():
            while not stop.is_set():
                try:
                    self.app.send_task("myapp.tasks.email.send", args=["x"], queue=queue, retry=False)
                except Exception:
                    return
                confirmed.append(time.time())

        producer = threading.Thread(target=produce, daemon=True)
        producer.start()
        time.sleep(4.0)
        self.redis.kill_hard()
        killed_at = time.time()
        stop.set()
        producer.join(10)
        self.redis.start()
        survived = redis.Redis(host="127.0.0.1", port=self.redis.port).llen(queue)
        sent = len(confirmed)
        lost = sent - survived
        last_second = sum(1 for t in confirmed if t > killed_at - 1.0)
        allowed = sum(1 for t in confirmed if t > killed_at - 1.0 - MARGIN_SECONDS)
        print(f"\n[redis] kill -9 while enqueueing ({' '.join(ARGS)}): {sent} enqueued in 4 s, {survived} survived, lost {lost}; "
              f"enqueued in the last second {last_second}; allowed (last {1 + MARGIN_SECONDS:.0f} s) {allowed}", file=sys.stderr)
        self.assertGreater(sent, 200, "the producer ran")
        self.assertLessEqual(lost, allowed)


if __name__ == "__main__":
    unittest.main()

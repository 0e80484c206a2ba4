"""Delivery on RabbitMQ with the generated settings and the kit's worker (Celery 5.6): a task
that kills its worker runs at most the delivery limit allows and then lies in its dead-letter
queue; a countdown waits in the broker (native delayed delivery), not in a worker slot.

CELERYKIT_WORKER holds the synthesized worker, CELERYKIT_SETTINGS the generated settings and
CELERYKIT_QUEUE the queue that worker consumes.
"""

import os
import sys
import time
import unittest

from harness import BrokerTestCase, OneServerPerClass, RabbitServer, inspect_named, wait_until


class RabbitmqDeliveryTest(OneServerPerClass, BrokerTestCase, unittest.TestCase):
    server_class = RabbitServer

    def setUp(self):
        self.rabbit = self.server
        self.start_app({"CELERY_BROKER_URL": self.server.url})
        self.queue = os.environ["CELERYKIT_QUEUE"]
        self.dead_letter_queue = f"{self.queue}.dead-letter"

    def queue_lengths(self):
        """Messages (ready + unacknowledged) per queue as rabbitmqctl lists them. For a quorum queue
        these come from metrics its leader publishes once per tick (`quorum_tick_interval`, 5 s by
        default, rabbit_quorum_queue.erl), so a count read right after a change may be the old one:
        use `settles_at` to assert on it."""
        listed = self.rabbit.ctl("list_queues", "name", "messages", "--no-table-headers", "--quiet").stdout.split("\n")
        return {name: int(count) for name, count in (line.split("\t") for line in listed if "\t" in line)}

    def settles_at(self, queue, expected, timeout=20):
        """Waits until the listed count of `queue` is `expected`, allowing for a few metric ticks."""
        try:
            wait_until(lambda: self.queue_lengths().get(queue) == expected, timeout, interval=0.5, what=f"{queue} to hold {expected}")
        except AssertionError:
            self.fail(f"{queue} still lists {self.queue_lengths().get(queue)} messages after {timeout} s, expected {expected}")

    def ready_now(self, queue):
        """Ready messages in `queue` as its leader answers a passive declare: exact at this moment."""
        with self.app.connection_for_write() as conn:
            return conn.default_channel.queue_declare(queue, passive=True).message_count

    def test_a_task_that_kills_its_worker_runs_at_most_the_delivery_limit_and_is_dead_lettered(self):
        limit = self.app.conf.task_queues[0].queue_arguments["x-delivery-limit"]
        self.kit_worker("poisoned")
        run_id = self.send("celerykit.test.poison", queue=self.queue)
        wait_until(lambda: self.queue_lengths().get(self.dead_letter_queue) == 1, 80, interval=1, what="the poison message in the dead-letter queue")
        runs = len(self.recorder.events("start", run_id))
        time.sleep(3)
        runs_later = len(self.recorder.events("start", run_id))
        with self.app.connection_for_write() as conn:
            message = conn.default_channel.basic_get(self.dead_letter_queue, no_ack=True)
        reason = (message.headers or {}).get("x-death", [{}])[0].get("reason") if message else None
        print(f"\n[rabbitmq] poison task (x-delivery-limit {limit}): ran {runs} times, then dead-lettered to {self.dead_letter_queue} "
              f"(x-death reason: {reason}); runs 3 s later: {runs_later}", file=sys.stderr)
        self.assertGreaterEqual(runs, 1)
        self.assertLessEqual(runs, limit + 1)
        self.assertEqual(runs_later, runs)
        self.assertEqual(reason, "delivery_limit")
        self.assertEqual(self.ready_now(self.queue), 0)
        # Nor held unacknowledged by the worker: the listed count (ready + unacked) goes to 0.
        self.settles_at(self.queue, 0)

    def test_a_countdown_waits_in_the_broker_not_in_a_worker_slot(self):
        self.kit_worker("delayed")
        countdown = 8
        sent = time.time()
        delayed_run = self.send("myapp.tasks.reports.build", 0.0, queue=self.queue, countdown=countdown)
        time.sleep(2)
        scheduled = inspect_named(self.app, "delayed", timeout=2).scheduled() or {}
        held = sum(len(v) for v in scheduled.values())
        in_delay_queues = sum(self.ready_now(name) for name in self.queue_lengths() if name.startswith("celery_delayed_"))
        # Every slot is free while the countdown runs: as many immediate tasks as the concurrency all start at once.
        concurrency = int(self.workers[0].argv[self.workers[0].argv.index("-c") + 1])
        now_sent = time.time()
        now_runs = [self.send("myapp.tasks.reports.build", 1.0, queue=self.queue) for _ in range(concurrency)]
        wait_until(lambda: all(self.recorder.events("start", r) for r in now_runs), 30, what="immediate tasks")
        immediate_wait = max(self.recorder.events("start", r)[0]["at"] for r in now_runs) - now_sent
        wait_until(lambda: self.recorder.final(delayed_run), 60, what="the delayed task")
        ran_after = self.recorder.events("start", delayed_run)[0]["at"] - sent
        print(f"\n[rabbitmq] countdown {countdown} s: tasks held by the worker while waiting: {held}; messages in celery_delayed_* queues: {in_delay_queues}; "
              f"{concurrency} immediate tasks started within {immediate_wait:.1f} s; the delayed task ran {ran_after:.1f} s after it was sent", file=sys.stderr)
        self.assertEqual(held, 0)
        self.assertEqual(in_delay_queues, 1)
        self.assertLess(immediate_wait, countdown - 2, "no slot waited for the countdown")
        self.assertGreaterEqual(ran_after, countdown - 0.5)
        self.assertLess(ran_after, countdown + 15)


if __name__ == "__main__":
    unittest.main()

"""The generated RabbitMQ settings on a real RabbitMQ (Debian's rabbitmq-server, a user-level node
on loopback): quorum queues, confirmed publishes, routing, and redelivery of a killed task.

Runs with Celery 5.6, which sees that the queues are quorum queues and turns global QoS off
itself (quorum queues refuse it): the workers here get no test-side patch, so a Celery or a
setting that got this wrong would fail to consume. Native delayed delivery and the delivery limit
are covered by test_rabbitmq_delivery.py.
"""

import sys
import time
import unittest

from harness import BrokerTestCase, RabbitServer, wait_until


class RabbitmqBrokerTest(BrokerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rabbit = RabbitServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.rabbit.stop()

    def setUp(self):
        self.start_app({"CELERY_BROKER_URL": self.rabbit.url})

    def test_the_worker_runs_celery_5_6(self):
        self.assert_the_worker_runs_celery_5_6("rabbitmq")

    def test_the_generated_queues_are_quorum_queues_and_publishes_are_confirmed(self):
        with self.app.connection_for_write() as conn:
            channel = conn.default_channel
            for queue in self.app.amqp.queues.values():
                queue.bind(channel).declare()
        listed = self.rabbit.ctl("list_queues", "name", "type", "--no-table-headers", "--quiet").stdout.split("\n")
        types = dict(line.split("\t") for line in listed if "\t" in line)
        print(f"\n[rabbitmq] rabbitmqctl list_queues name type: {types}", file=sys.stderr)
        for name in ("email", "reports", "default"):
            self.assertEqual(types.get(name), "quorum", name)
        with self.app.producer_or_acquire() as producer:
            self.send("myapp.tasks.email.send")
            self.assertTrue(producer.channel._confirm_selected, "publisher confirms are on")
        # Queue statistics are refreshed every few seconds; wait for the count to show.
        wait_until(lambda: "email\t1" in self.rabbit.ctl("list_queues", "name", "messages", "--no-table-headers", "--quiet").stdout, 30, interval=1, what="the published message in email")
        with self.app.connection_for_write() as conn:
            conn.default_channel.queue_purge("email")

    def test_each_task_class_goes_to_its_quorum_queue(self):
        self.assert_each_task_class_goes_to_its_queue()

    def test_a_task_killed_mid_run_is_redelivered_when_its_connection_drops_and_writes_once(self):
        first = self.worker(["reports"], "first")
        run_id = self.send("myapp.tasks.reports.build", 3.0)
        wait_until(lambda: self.recorder.events("start", run_id), 30, what="first attempt")
        first.kill_hard()
        killed_at = time.time()
        self.worker(["reports"], "second")
        wait_until(lambda: self.recorder.final(run_id), 60, what="redelivered task to finish")
        starts = self.recorder.events("start", run_id)
        writes = self.recorder.events("final-write", run_id)
        print(f"\n[rabbitmq] SIGKILL mid-task: {len(starts)} runs, {len(writes)} final write, "
              f"redelivered {starts[-1]['at'] - killed_at:.1f}s after the kill (as soon as a consumer was back)", file=sys.stderr)
        self.assertEqual(len(starts), 2)
        self.assertEqual(len(writes), 1)


if __name__ == "__main__":
    unittest.main()

"""A three-node RabbitMQ cluster on loopback (Debian's rabbitmq-server, user-level nodes) with the
generated settings: tasks published with confirms into a quorum queue while one node is killed
with SIGKILL all run at least once. The killed node holds the queue's leader, so the queue fails
over while the producer publishes through another node."""

import os
import sys
import threading
import time
import unittest

from harness import BrokerTestCase, RabbitCluster, wait_until


class RabbitmqClusterTest(BrokerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = RabbitCluster().start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def test_confirmed_publishes_survive_sigkill_of_the_queue_leader(self):
        entry, leader, _ = self.cluster.nodes
        queue_name = os.environ["CELERYKIT_QUEUE"]
        # Declared through the node that is to lead it (a quorum queue's leader starts where it is declared).
        self.start_app({"CELERY_BROKER_URL": leader.url})
        with self.app.connection_for_write() as conn:
            self.app.amqp.queues[queue_name].bind(conn.default_channel).declare()
        self.app.close()
        members = leader.ctl("list_queues", "name", "leader", "members", "--no-table-headers", "--quiet").stdout
        self.start_app({"CELERY_BROKER_URL": entry.url})
        confirmed = []
        failed = []
        stop = threading.Event()

        def produce():
            while not stop.is_set() and len(confirmed) < 3000:
                run_id = os.urandom(8).hex()
                try:
                    self.app.send_task("myapp.tasks.email.send", args=[run_id], queue=queue_name)
                    confirmed.append(run_id)
                except Exception as error:  # a publish that was not confirmed: the producer knows
                    failed.append(repr(error))

        producer = threading.Thread(target=produce, daemon=True)
        producer.start()
        time.sleep(2.0)
        before_kill = len(confirmed)
        leader.kill_hard()
        time.sleep(3.0)
        stop.set()
        producer.join(60)
        n = len(confirmed)
        self.kit_worker("drain")
        wait_until(lambda: len([r for r in confirmed if self.recorder.final(r)]) == n, 80, interval=1, what="every confirmed task to run")
        runs = sum(len(self.recorder.events("start", r)) for r in confirmed)
        lost = sum(1 for r in confirmed if not self.recorder.final(r))
        print(f"\n[rabbitmq] 3-node cluster, SIGKILL of the queue leader after {before_kill} publishes (leader and members: {members.strip()}): "
              f"N={n} confirmed, runs={runs}, lost={lost}, unconfirmed publishes reported to the producer: {len(failed)}", file=sys.stderr)
        queue_line = next(line for line in members.split("\n") if line.startswith(f"{queue_name}\t"))
        self.assertEqual(queue_line.split("\t")[1], leader.node, "the killed node led the queue")
        self.assertEqual(queue_line.count("@localhost"), 4, "leader plus three members")
        self.assertGreater(n, before_kill, "publishing went on after the kill")
        self.assertEqual(lost, 0)


if __name__ == "__main__":
    unittest.main()

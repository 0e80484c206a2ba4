"""Why the kit refuses `results` on RabbitMQ (spec/results.ts): Celery 5.6's rpc:// backend on a
real RabbitMQ, with the kit's RabbitMQ settings plus the result settings the kit would have to
write (result_backend "rpc://", result_expires short, task_ignore_result False). A sender that
keeps sending and does not read its results keeps every one of them in its reply queue long past
result_expires: that becomes only the queue's x-expires, which counts while the queue is unused,
and each send declares the queue again.

Inputs from the TypeScript side: CELERYKIT_SETTINGS (the kit's settings for a RabbitMQ file),
CELERYKIT_RESULT_EXPIRES.
"""

import os
import sys
import tempfile
import time
import unittest

from harness import BrokerTestCase, RabbitServer, wait_until

EXPIRES = int(os.environ["CELERYKIT_RESULT_EXPIRES"])


class RabbitmqRpcResultsTest(BrokerTestCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rabbit = RabbitServer().start()
        with open(os.environ["CELERYKIT_SETTINGS"]) as f:
            kit = f.read()
        cls.settings = os.path.join(tempfile.mkdtemp(prefix="celerykit-rpc-"), "celery_settings.py")
        with open(cls.settings, "w") as f:
            f.write(kit + f'\n# What results on RabbitMQ would need (the kit refuses them).\nresult_backend = "rpc://"\nresult_expires = {EXPIRES}\ntask_ignore_result = False\n')

    @classmethod
    def tearDownClass(cls):
        cls.rabbit.stop()

    def setUp(self):
        self.start_app({"CELERY_BROKER_URL": self.rabbit.url, "CELERYKIT_SETTINGS": self.settings})
        sys.modules.pop("resultsapp", None)
        import resultsapp  # noqa: F401

    def reply_queue(self, name):
        listed = self.rabbit.ctl("list_queues", "name", "type", "messages", "arguments", "--no-table-headers", "--quiet").stdout.split("\n")
        return next((line.split("\t") for line in listed if line.startswith(name + "\t")), None)

    def test_results_a_sender_does_not_read_outlive_result_expires(self):
        self.assertEqual(self.app.conf.result_backend, "rpc://")
        self.production_worker(["email", "reports", "default"], "rpc", app_module="resultsapp")
        oid = self.app.backend.oid
        started = time.time()
        sent, found = 0, None
        # A web process sending a task every second and never asking for the results. The queue
        # must be looked at while it sends: once it stops, the queue is unused and expires.
        while time.time() - started < 60 and found is None:
            self.app.send_task("celerykit.test.add", args=[sent, 1])
            sent += 1
            time.sleep(1)
            q = self.reply_queue(oid) if time.time() - started > 4 * EXPIRES else None
            # Nobody consumes, one result a second: 3 * EXPIRES results span more than 2 * EXPIRES seconds.
            if q is not None and int(q[2]) >= 3 * EXPIRES:
                found = q
        self.assertIsNotNone(found, f"the reply queue of {oid} never held {3 * EXPIRES} results")
        name, kind, messages, arguments = found
        self.assertEqual(kind, "classic", "the reply queue is not a quorum queue")
        self.assertIn("x-expires", arguments)
        print(f"\n[rabbitmq-rpc] {sent} tasks sent one a second, none read: reply queue {name} ({kind}, {arguments}) holds {messages} results, "
              f"so the oldest is at least {int(messages) - 1} s old; result_expires {EXPIRES} s", file=sys.stderr)

if __name__ == "__main__":
    unittest.main()

"""Soft shutdown with the kit's worker command and environment (Celery 5.6): the platform's
SIGTERM in the middle of a long task returns the task to its queue before the stop window ends,
and another worker runs it at once, not after the visibility timeout.

CELERYKIT_BROKER selects the server (redis or rabbitmq); CELERYKIT_WORKER holds the synthesized
worker (command, env, stopWindowSeconds) and CELERYKIT_SETTINGS the generated settings.
"""

import json
import os
import sys
import time
import unittest

from harness import BrokerTestCase, OneServerPerClass, RabbitServer, RedisServer, wait_until

BROKER = os.environ["CELERYKIT_BROKER"]
DEPLOYED = json.loads(os.environ["CELERYKIT_WORKER"])
# How long the test waits for the task on the second worker; shorter for the run that shows what
# happens without the soft shutdown (the task is then not back before the visibility timeout).
PICKUP_WAIT_SECONDS = float(os.environ.get("CELERYKIT_PICKUP_WAIT_SECONDS", "60"))


class SoftShutdownTest(OneServerPerClass, BrokerTestCase, unittest.TestCase):
    server_class = RedisServer if BROKER == "redis" else RabbitServer

    def setUp(self):
        self.start_app({"CELERY_BROKER_URL": self.server.url})

    def test_sigterm_mid_task_returns_it_to_another_worker_within_the_stop_window(self):
        queue = os.environ["CELERYKIT_QUEUE"]
        window = DEPLOYED["stopWindowSeconds"]
        soft = float(DEPLOYED["env"]["CELERYKIT_SOFT_SHUTDOWN_SECONDS"])
        visibility = self.app.conf.broker_transport_options.get("visibility_timeout")
        first = self.kit_worker("first")
        long_run = self.send("myapp.tasks.reports.build", 600.0, queue=queue)
        short_run = self.send("myapp.tasks.reports.build", soft / 3, queue=queue)
        wait_until(lambda: self.recorder.events("start", long_run) and self.recorder.events("start", short_run), 60, what="both tasks running on the first worker")
        self.kit_worker("second")
        sigterm_at = time.time()
        exited_after, killed = first.stop_like_the_platform()
        try:
            restart = wait_until(lambda: [e for e in self.recorder.events("start", long_run) if "second" in (e["hostname"] or "")],
                                 PICKUP_WAIT_SECONDS, what="the long task on the second worker")[0]
            picked_up_after = restart["at"] - sigterm_at
        except AssertionError:
            picked_up_after = None
        short_done = self.recorder.final(short_run)
        picked_up = f"{picked_up_after:.1f} s after SIGTERM" if picked_up_after is not None else f"not within {PICKUP_WAIT_SECONDS:.0f} s of the stop window's end"
        print(f"\n[{BROKER}] soft shutdown (REMAP_SIGTERM={DEPLOYED['env'].get('REMAP_SIGTERM')}, {soft:.0f} s, stop window {window} s, "
              f"visibility timeout {visibility}): first worker exited {exited_after:.1f} s after SIGTERM (killed: {killed}); "
              f"short task finished on it: {short_done is not None}; long task picked up by the second worker {picked_up}",
              file=sys.stderr)
        self.assertFalse(killed, f"the worker outlived the stop window:\n{first.output()[-3000:]}")
        self.assertLessEqual(exited_after, window)
        self.assertIsNotNone(short_done, "a task shorter than the soft shutdown finishes")
        self.assertIsNotNone(picked_up_after, "the long task runs again on the second worker")
        self.assertLess(picked_up_after, window + 5)
        if visibility is not None:
            self.assertLess(picked_up_after, visibility)


if __name__ == "__main__":
    unittest.main()

"""Generated Celery settings, loaded by a real Celery app (Debian's python3-celery).

Run: /usr/bin/python3 -m unittest test_generated_settings, with CELERYKIT_SETTINGS_CASES pointing
at a JSON list of {"module": path, "expected": {...}} written by the TypeScript test.
"""

import importlib.util
import json
import os
import unittest

from celery import Celery

CASES = json.load(open(os.environ["CELERYKIT_SETTINGS_CASES"]))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")


def load(path):
    spec = importlib.util.spec_from_file_location("celery_settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = Celery("settings-test")
    app.config_from_object(module)
    return app


def sample_task_name(pattern):
    return pattern.replace("*", "x").replace("?", "y")


class GeneratedSettings(unittest.TestCase):
    def test_every_stack_matches_its_infrastructure(self):
        self.assertGreater(len(CASES), 0)
        for case in CASES:
            expected = case["expected"]
            with self.subTest(stack=case["stack"]):
                app = load(case["module"])
                conf = app.conf
                self.assertEqual(conf.broker_url, os.environ["CELERY_BROKER_URL"])
                self.assertEqual(conf.task_default_queue, expected["defaultQueue"])
                self.assertEqual([q.name for q in conf.task_queues], expected["queues"])
                queue_types = {q.name: (q.queue_arguments or {}).get("x-queue-type", "classic") for q in conf.task_queues}
                self.assertEqual(set(queue_types.values()), {expected["queueType"]})
                if expected["visibilityTimeout"] is not None:
                    self.assertEqual(conf.broker_transport_options["visibility_timeout"], expected["visibilityTimeout"])
                else:
                    self.assertEqual(conf.broker_transport_options, {"confirm_publish": True})
                self.assertTrue(conf.task_acks_late)
                # Returned after a worker loss only where the broker caps deliveries (quorum queues).
                self.assertEqual(conf.task_reject_on_worker_lost, expected["queueType"] == "quorum")
                self.assertEqual({q.exchange.type for q in conf.task_queues}, {"topic"})
                if expected["queueType"] == "quorum":
                    self.assertEqual([q.name for q in conf.celerykit_dead_letter_queues], expected["deadLetterQueues"])
                    for q in conf.task_queues:
                        self.assertEqual(q.queue_arguments["x-dead-letter-routing-key"], q.name)
                        self.assertGreater(q.queue_arguments["x-delivery-limit"], 0)
                if expected["resultExpires"] is None:
                    # No results by default, and no backend that could be the broker itself.
                    self.assertTrue(conf.task_ignore_result)
                    self.assertIsNone(conf.result_backend)
                else:
                    # Opted in: results on the broker URL the settings read, always with the expiry.
                    self.assertFalse(conf.task_ignore_result)
                    self.assertEqual(conf.result_backend, os.environ["CELERY_BROKER_URL"])
                    self.assertEqual(conf.result_expires.total_seconds() if hasattr(conf.result_expires, "total_seconds") else conf.result_expires, expected["resultExpires"])
                self.assertEqual(conf.worker_prefetch_multiplier, 1)
                self.assertTrue(conf.worker_send_task_events)
                self.assertTrue(conf.task_send_sent_event)
                router = app.amqp.router
                for pattern, queue in expected["routes"]:
                    self.assertEqual(router.route({}, sample_task_name(pattern))["queue"].name, queue, pattern)
                self.assertEqual(router.route({}, "unrouted.task")["queue"].name, expected["defaultQueue"])


if __name__ == "__main__":
    unittest.main()

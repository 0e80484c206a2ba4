"""The scale-in protection hook against a fake ECS agent on loopback and a real Celery worker.

Run with Debian's Python (python3-celery): /usr/bin/python3 -m unittest <this file>
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "constructs", "aws", "worker-hooks"))

from celery import Celery  # noqa: E402
from celery.contrib.testing.worker import start_worker  # noqa: E402

import celerykit_ecs_protection  # noqa: E402
from fake_ecs_agent import FakeAgent  # noqa: E402

POLL = 0.2


APP = Celery("protection-test", broker="memory://", backend="cache+memory://")
APP.conf.task_acks_late = True
APP.conf.worker_prefetch_multiplier = 1
RUNS = []


@APP.task(name="test.slow")
def slow(seconds):
    started = time.monotonic()
    time.sleep(seconds)
    RUNS.append((started, time.monotonic()))
    return "done"


class ProtectionHeldWhileATaskRuns(unittest.TestCase):
    def run_scenario(self, status=200):
        agent = FakeAgent(status)
        self.addCleanup(agent.close)
        protection = celerykit_ecs_protection.install(agent.uri, 75, poll_seconds=POLL)
        self.addCleanup(lambda: celerykit_ecs_protection.signals.task_received.disconnect(protection.on_task_received))
        RUNS.clear()
        with start_worker(APP, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            protection.start()
            time.sleep(3 * POLL)
            idle_calls = list(agent.calls)
            result = slow.delay(1.5).get(timeout=20)
            time.sleep(4 * POLL)
            protection.stop()
        return agent, idle_calls, result, list(RUNS)

    def test_protection_is_taken_before_the_task_starts_and_released_after_it_ends(self):
        agent, idle_calls, result, runs = self.run_scenario()
        self.assertEqual(result, "done")
        self.assertEqual(idle_calls, [], "an idle worker must not take protection")
        self.assertEqual([c[2] for c in agent.calls], [
            {"ProtectionEnabled": True, "ExpiresInMinutes": 75},
            {"ProtectionEnabled": False},
        ])
        self.assertTrue(all(c[1] == "/v4/task-123/task-protection/v1/state" for c in agent.calls))
        (taken, _, _), (released, _, _) = agent.calls
        [(started, ended)] = runs
        self.assertLessEqual(taken, started, "protection must be held before the task starts")
        self.assertGreaterEqual(released, ended, "protection must last until the task ends")
        self.assertLess(released - ended, 1.0 + 2 * POLL, "protection must be released soon after the task")

    def test_an_agent_error_never_fails_the_task(self):
        agent, _, result, runs = self.run_scenario(status=500)
        self.assertEqual(result, "done")
        self.assertEqual(len(runs), 1)
        self.assertGreaterEqual(len(agent.calls), 1)


class Configuration(unittest.TestCase):
    def test_the_hook_stays_off_outside_ecs(self):
        self.assertIsNone(celerykit_ecs_protection.install(agent_uri="", expires_minutes=None))

    def test_expiry_is_clamped_to_what_the_agent_accepts(self):
        self.assertEqual(celerykit_ecs_protection.TaskProtection("http://x", 100000).expires_minutes, 2880)
        self.assertEqual(celerykit_ecs_protection.TaskProtection("http://x", 0).expires_minutes, 1)

    def test_protection_is_renewed_while_a_long_task_keeps_the_worker_busy(self):
        now = [0.0]
        puts = []
        protection = celerykit_ecs_protection.TaskProtection("http://x", 10, poll_seconds=1, busy=lambda: True, clock=lambda: now[0])
        protection._put = puts.append
        protection.on_task_received()
        now[0] = 200.0
        protection.check()
        self.assertEqual(puts, [True])
        now[0] = 301.0
        protection.check()
        self.assertEqual(puts, [True, True])


if __name__ == "__main__":
    unittest.main()

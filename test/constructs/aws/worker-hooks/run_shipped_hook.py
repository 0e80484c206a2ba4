"""Runs a pool's worker task as the kit synthesizes it, on this machine, with Celery 5.6.

The hook-writer container's command writes the hook, then the worker container's command (the
PYTHONPATH wrapper, the kit's worker command, --include) starts a real worker on a loopback
redis-server, with the task definition's environment and a fake ECS agent. A task sent to the
pool's queue must take scale-in protection while it runs and release it once the worker is idle.

Input: a JSON file (argv[1]) with the two containers' `command` and `environment`, the app
module, the pool's first queue and the task definition's hook directory. Prints [hook] figures.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "brokers", "python"))
from harness import RedisServer, wait_until  # noqa: E402

sys.path.insert(0, HERE)
from fake_ecs_agent import FakeAgent  # noqa: E402

CELERY_56 = os.environ["CELERYKIT_CELERY_SOURCES"]
TASK_SECONDS = 6


def unescape(text):
    """Terraform turns `$${` into `${`; ECS receives the unescaped text."""
    return text.replace("$${", "${")


def main():
    with open(sys.argv[1]) as f:
        shipped = json.load(f)
    root = tempfile.mkdtemp(prefix="celerykit-shipped-hook-")
    hook_dir = os.path.join(root, "hooks")
    app_dir = os.path.join(root, "app")
    bin_dir = os.path.join(root, "bin")
    for d in (hook_dir, app_dir, bin_dir):
        os.makedirs(d)
    relocate = lambda words: [unescape(w).replace(shipped["hookDir"], hook_dir) for w in words]  # noqa: E731

    # The image's `celery` is Celery 5.6 here.
    celery = os.path.join(bin_dir, "celery")
    with open(celery, "w") as f:
        f.write('#!/bin/sh\nexec %s -m celery "$@"\n' % sys.executable)
    os.chmod(celery, 0o755)
    module = shipped["appModule"]
    with open(os.path.join(app_dir, module.replace(".", "_") + ".py"), "w") as f:
        f.write(
            "import os, time\nfrom celery import Celery\n"
            "app = Celery('shipped', broker=os.environ['CELERY_BROKER_URL'])\n"
            "app.conf.task_acks_late = True\napp.conf.worker_prefetch_multiplier = 1\n"
            "@app.task(name='shipped.slow')\ndef slow(seconds):\n    time.sleep(seconds)\n"
        )
    app_module = module.replace(".", "_")

    redis = RedisServer().start()
    agent = FakeAgent()
    worker = None
    try:
        writer_env = dict(os.environ, **{e["name"]: unescape(e["value"]) for e in shipped["writer"]["environment"]})
        subprocess.run(relocate(shipped["writer"]["command"]), env=writer_env, check=True, timeout=30)
        print("[hook] writer wrote %s (%d bytes)" % (os.listdir(hook_dir), os.path.getsize(os.path.join(hook_dir, os.listdir(hook_dir)[0]))))

        command = relocate(shipped["worker"]["command"])
        # The kit's -A names the app's module; here the stand-in module.
        command = [app_module if w == module else w for w in command]
        env = dict(os.environ)
        env.update({e["name"]: e["value"] for e in shipped["worker"]["environment"]})
        env.update(
            {
                "PATH": bin_dir + os.pathsep + os.environ["PATH"],
                # The image's own PYTHONPATH: the wrapper must keep it after the hook directory.
                "PYTHONPATH": app_dir + os.pathsep + CELERY_56,
                "CELERY_BROKER_URL": redis.url,
                "ECS_AGENT_URI": agent.uri,
            }
        )
        worker = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)
        logs = []
        threading.Thread(target=lambda: logs.extend(worker.stdout), daemon=True).start()
        time.sleep(1)

        sender_env = dict(env, PYTHONPATH=app_dir + os.pathsep + CELERY_56)
        sent = time.monotonic()
        subprocess.run(
            [sys.executable, "-c", "import %s as m; m.slow.apply_async((%d,), queue=%r)" % (app_module, TASK_SECONDS, shipped["queue"])],
            env=sender_env, check=True, timeout=60,
        )
        try:
            wait_until(lambda: any(b["ProtectionEnabled"] for _, _, b in agent.calls), 60, what="protection taken")
            taken = next(t for t, _, b in agent.calls if b["ProtectionEnabled"])
            wait_until(lambda: any(not b["ProtectionEnabled"] for _, _, b in agent.calls), 60, what="protection released")
        except AssertionError:
            print("".join(logs[-60:]))
            raise
        released = next(t for t, _, b in agent.calls if not b["ProtectionEnabled"])
        expiry = next(b for _, _, b in agent.calls if b["ProtectionEnabled"])["ExpiresInMinutes"]
        print("[hook] celery %s; protection taken %.1f s after the send, expiry %d min; released %.1f s after it (task %d s, hook polls every 5 s)"
              % (subprocess.run([celery, "--version"], env=env, capture_output=True, text=True).stdout.strip(), taken - sent, expiry, released - taken, TASK_SECONDS))
        assert released - taken >= TASK_SECONDS, "released before the task could have ended"
        assert expiry == int(env["CELERYKIT_TASK_PROTECTION_MINUTES"]), expiry
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        agent.server.shutdown()
        redis.stop()
    print("[hook] OK")


if __name__ == "__main__":
    main()

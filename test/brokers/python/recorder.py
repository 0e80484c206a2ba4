"""Records task runs in a directory shared by the test and its workers: one file per event,
created atomically, so several worker processes never overwrite each other."""

import json
import os
import time
import uuid

DIR = os.environ["CELERYKIT_RECORD_DIR"]


def _write(kind, run_id, **data):
    path = os.path.join(DIR, f"{kind}.{run_id}.{uuid.uuid4().hex}")
    with open(path, "w") as f:
        json.dump({"at": time.time(), **data}, f)


def record_start(run_id, routing_key, hostname=None):
    _write("start", run_id, routing_key=routing_key, hostname=hostname)


def finish(run_id):
    """Writes the final state once: a second run finds it and does not write again."""
    final = os.path.join(DIR, f"final.{run_id}")
    try:
        fd = os.open(final, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        json.dump({"at": time.time()}, f)
    _write("final-write", run_id)


def events(kind, run_id):
    out = []
    for name in os.listdir(DIR):
        if name.startswith(f"{kind}.{run_id}."):
            with open(os.path.join(DIR, name)) as f:
                out.append(json.load(f))
    return sorted(out, key=lambda e: e["at"])


def final(run_id):
    path = os.path.join(DIR, f"final.{run_id}")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)

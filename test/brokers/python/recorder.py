"""Records task runs in a directory shared by the test and its workers: one file per event,
renamed into place once written, so several worker processes never overwrite each other and a
reader never sees half an event."""

import json
import os
import time
import uuid

DIR = os.environ["CELERYKIT_RECORD_DIR"]


def _write(kind, run_id, **data):
    # Written under a name no reader lists, then renamed: a reader never sees a half-written file.
    name = f"{kind}.{run_id}.{uuid.uuid4().hex}"
    partial = os.path.join(DIR, f".partial-{name}")
    with open(partial, "w") as f:
        json.dump({"at": time.time(), **data}, f)
    os.rename(partial, os.path.join(DIR, name))


def record_start(run_id, routing_key, hostname=None):
    _write("start", run_id, routing_key=routing_key, hostname=hostname)


def finish(run_id):
    """Writes the final state once: a second run finds it and does not write again."""
    final = os.path.join(DIR, f"final.{run_id}")
    try:
        fd = os.open(final, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    # The event first, then the content readers wait for: final() seeing the run final implies
    # the final-write event is there to be counted.
    _write("final-write", run_id)
    with os.fdopen(fd, "w") as f:
        json.dump({"at": time.time()}, f)


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
        text = f.read()
    # The run that created the file may not have written it yet: not final until it has.
    return json.loads(text) if text else None

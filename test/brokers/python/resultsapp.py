"""The sample app plus tasks that return values, for the result backend test: the worker stores
what they return, and the caller reads it back through the backend."""

import redis

# Celery 5.6.3's Redis result backend imports redis.CredentialProvider at module level
# (celery/backends/redis.py), only to check a credential provider the app configures, which the
# kit does not. Debian bookworm's python3-redis 4.3.4 predates that class, so the test environment
# gets an empty stand-in; the app's own image needs a redis-py that has it (docs/tasks.md).
if not hasattr(redis, "CredentialProvider"):
    redis.CredentialProvider = type("CredentialProvider", (), {})

from sampleapp import app  # noqa: E402,F401  (the worker's -A target)


@app.task(name="celerykit.test.add")
def add(x, y):
    return x + y


@app.task(name="celerykit.test.total")
def total(values):
    return sum(values)


@app.task(name="celerykit.test.grow", bind=True)
def grow(self, x):
    """A chord member that adds one more member to its chord (Task.add_to_chord)."""
    self.add_to_chord(add.s(x, x))
    return x


@app.task(name="celerykit.test.slow_add")
def slow_add(x, y, seconds):
    import time

    time.sleep(seconds)
    return x + y

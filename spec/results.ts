/**
 * `results`: the opt-in to storing task results, and where they may go.
 *
 * Results go to Celery's Redis result backend on the broker's own Redis (same endpoint, same user,
 * database 0), never without expiry. Why there and why only with an expiry, from Celery 5.6.3
 * (../shared/python-celery/celery/backends/redis.py, base.py):
 * - every key the Redis backend writes gets the expiry: a task's or a group's meta with SETEX
 *   (`RedisBackend._set`), a chord's `.j`/`.t`/`.s` keys with EXPIRE on every part's return
 *   (`on_chord_part_return`), and the chord keys are deleted once the body is sent. With
 *   `result_expires` 0 or None `_set` falls back to a plain SET: such results never leave a
 *   `noeviction` broker, hence no 0 here;
 * - Redis expires keys itself (`supports_autoexpire = True`), so nothing depends on celery beat's
 *   `celery.backend_cleanup`, which beat schedules only for backends without it
 *   (celery/beat.py `install_default_entries`) and which the kit's cloud schedulers never run;
 * - a second logical database would separate nothing that matters: all databases share one memory
 *   limit and one persistence file (https://redis.io/commands/select), the ACL rules ElastiCache
 *   takes name commands, keys and channels, not databases (Clusters.RBAC.html, as in
 *   constructs/celery/redis-users.ts), and ElastiCache moves a replication group to cluster mode only when its keys
 *   are all in database 0 (https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/modify-cluster-mode.html).
 *
 * RabbitMQ gets no result backend. Celery's `rpc://` sends each result as a message to a queue of
 * the process that sent the task, named after that process (celery/backends/rpc.py `binding`,
 * `store_result`): the message has no expiry, `result_expires` becomes only the queue's
 * `x-expires`, which RabbitMQ counts only while the queue is unused
 * (https://www.rabbitmq.com/docs/ttl, "Queue TTL"), and the sender declares its queue again with
 * every task it sends (`on_task_call`). A sender that never reads its results therefore
 * keeps them in the broker for as long as it runs, and no other process can read them at all
 * (seen on a real RabbitMQ in test/brokers/rabbitmq-rpc-results.test.ts).
 */
import type { ProblemCollector } from './problems';
import type { ParameterFile } from './schema';

/**
 * The longest a result may be kept: one week. A result waits in the broker's memory, next to the
 * tasks, for the whole expiry, so the memory results need grows with it; a caller that looks later
 * than a week wants a database, not a broker. Celery's own default is one day
 * (celery/app/defaults.py `result_expires`).
 */
export const MAX_RESULT_EXPIRES_SECONDS = 7 * 24 * 3600;
/** The example expiry in messages and docs: Celery's default. */
export const EXAMPLE_RESULT_EXPIRES_SECONDS = 24 * 3600;

/** Rules between `results` and the other keys. */
export function checkResults(file: ParameterFile, out: ProblemCollector): void {
  const results = file.results;
  if (results === undefined) return;
  if (file.broker.kind === 'rabbitmq') {
    out.error(
      ['results'],
      "a RabbitMQ broker has no result store with an expiry: Celery's rpc:// backend sends each result, without expiry, to a queue of the process that sent the task and keeps it there until that process reads it, so unread results fill the broker",
      'remove results and let tasks that hand back data write it to a store of the app (a database or a bucket), or use broker: {kind: redis}, where results expire',
    );
    return;
  }
  // A chord's size key is written with the expiry when the chord starts, and only a finished part
  // renews it (redis.py `set_chord_size`, `on_chord_part_return`): a header task that runs longer
  // finds it gone and the body never runs (seen in test/brokers/redis-results.test.ts). Tasks
  // outside chords are not affected, hence a warning.
  const longest = Object.entries(file.workers)
    .filter(([, pool]) => pool.timeLimit !== undefined && pool.timeLimit > results.expires)
    .sort(([, a], [, b]) => b.timeLimit! - a.timeLimit!)[0];
  if (longest !== undefined) {
    const [name, pool] = longest;
    out.warn(
      ['results', 'expires'],
      `${results.expires} s is shorter than workers.${name}.timeLimit (${pool.timeLimit} s): a chord whose header tasks run longer than that between two results loses its counters and never runs its body`,
      `raise results.expires to ${pool.timeLimit} or more if the app uses chords on that pool; otherwise leave it`,
    );
  }
}

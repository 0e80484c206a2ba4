/**
 * The Redis/Valkey ACL users a deployment's components connect as, each with only the commands,
 * keys and channels its code issues. Cloud-neutral: the access strings depend only on the spec,
 * ElastiCache gets them as `aws_elasticache_user.access_string`, and test/brokers/redis-users.test.ts
 * loads these very strings into a real redis-server (ACL SETUSER) and runs Celery 5.6 as each user.
 *
 * Where the commands come from (kombu 5.6.2, ../shared/python-celery/kombu/transport/redis.py):
 * - task queues are lists: LPUSH to publish (`_put`, :1039), BRPOP to consume (`_brpop_start`,
 *   :973), RPOP (`_get`, :1010), LLEN (`_size`, :1019), DEL/EXISTS (`_delete`, `_has_queue`);
 * - exchange bindings are sets `_kombu.binding.<exchange>`: SADD, SREM, SMEMBERS (:1060-1087);
 * - unacknowledged messages are a hash `unacked` and a sorted set `unacked_index`: ZADD+HSET in a
 *   MULTI/EXEC pipeline on delivery (QoS.append, :374), ZREM+HDEL on ack (:407), and the
 *   visibility restore reads ZREVRANGEBYSCORE under WATCH (:419-438); a restored message goes back
 *   with RPUSH (`_do_restore_message`, :807: a worker's shutdown, `restore_unacked`, and the
 *   restore of overdue messages) or LPUSH (a requeueing reject). Without RPUSH the MULTI/EXEC
 *   aborts, the message stays in `unacked` for good, and a worker that finds an overdue message
 *   when it starts dies of the error (on_poll_init, :553);
 * - that restore holds a redis-py lock (`Mutex`, :165): SET NX PX to take it, and a Lua script
 *   (EVALSHA, and SCRIPT LOAD when the server answers NOSCRIPT, as it does the first time: redis-py
 *   `Script.__call__`, redis/commands/core.py) doing GET+DEL to release it; a script's own
 *   commands are checked against the caller's rules too;
 * - fanout exchanges (events `celeryev`, remote control `celery.pidbox`) are pub/sub: PUBLISH
 *   (`_put_fanout`, :1044), PSUBSCRIBE/UNSUBSCRIBE (:903-909); PING is the health check (:757).
 *
 * With `results` on, the app also runs Celery's Redis result backend (RESULT_COMMANDS below).
 *
 * The observers need less. celery-exporter 0.12.2 (danihodovic/celery-exporter, src/exporter.py)
 * reads events (`events.Receiver`, :415), calls `inspect().stats()` and `active_queues()`
 * (:238, :246) and reads queue lengths with LLEN (`redis_queue_length`, :484). Flower 2.0.1
 * (mher/flower, flower/events.py:178, flower/utils/broker.py:118) does the same, LLEN over the
 * priority sub-queues too, and sends control broadcasts (enable_events, and the UI's pool and
 * revoke commands). A broadcast is a PUBLISH; its replies come back on the caller's own list
 * `<uuid>.reply.celery.pidbox`, bound in `_kombu.binding.reply.celery.pidbox`. So observers may
 * read the task queues (`%R~`) but not write them: no publishing, consuming, purging or deleting
 * tasks. As on RabbitMQ, the broker cannot tell `inspect stats` from `control shutdown` (one
 * channel carries both); Flower's limit there is its front door.
 *
 * The syntax is ElastiCache's documented subset
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, "Specifying
 * Permissions Using an Access String"): `on`/`off`, `~pattern`, `-@all`, `+command`; `&*` from
 * Redis OSS 6.2; `+command|subcommand` and `%R~pattern` from Redis OSS 7.0. ElastiCache documents
 * no channel pattern other than `&*`, so every user gets all channels; the channels carry events
 * and control broadcasts only, never tasks. Passwords are not part of the string (ElastiCache sets
 * them through the API), nor is `reset`.
 */
import type { DeploymentSpec, RedisBrokerSpec } from '../../spec/types';

/** Who connects: the app's processes (workers, beat, scheduled calls), the exporter, Flower. */
export const REDIS_USER_ROLES = ['app', 'exporter', 'flower'] as const;
export type RedisUserRole = (typeof REDIS_USER_ROLES)[number];

/** The ACL user name of a role (letters, digits and `-`, so it goes into a URL as it is). */
export const redisUserName = (role: RedisUserRole): string => `celery-${role}`;

export interface RedisUser {
  readonly role: RedisUserRole;
  readonly name: string;
  /** ACL rules, space-separated, without password: `aws_elasticache_user.access_string`, `ACL SETUSER <name> <rules>`. */
  readonly accessString: string;
}

/**
 * The `default` user, which every ElastiCache user group of engine `redis` must contain
 * (Clusters.RBAC.html, "Managing User Groups"): off, and
 * allowed nothing, so a client that connects without a user name, or with the old AUTH token,
 * gets nowhere.
 */
export const DISABLED_DEFAULT_ACCESS_STRING = 'off -@all';

/** What every role's connection needs: the health check, and pipelines (redis-py sends MULTI/EXEC). */
const CONNECTION = ['ping', 'multi', 'exec'];
/** Broadcasts and events: fanout exchanges over pub/sub (kombu subscribes by pattern only). */
const PUBSUB = ['publish', 'psubscribe', 'unsubscribe'];
/** Declaring, binding, consuming and deleting one's own reply or event queue. */
const OWN_QUEUES = ['sadd', 'srem', 'brpop', 'rpop', 'del'];

/** Workers, beat and scheduled calls: publishing, consuming, acknowledging and restoring tasks. */
const APP_COMMANDS = [
  ...CONNECTION,
  ...PUBSUB,
  ...OWN_QUEUES,
  // routing a publish through an exchange's bindings, and `_has_queue`
  'smembers',
  'exists',
  'lpush',
  'llen',
  // unacked / unacked_index and the visibility restore (kombu QoS)
  'zadd',
  'zrem',
  'zrevrangebyscore',
  'hset',
  'hget',
  'hdel',
  'rpush',
  'watch',
  'unwatch',
  'discard',
  // the restore's lock (redis-py Lock: SET NX PX, then a Lua GET+DEL release)
  'set',
  'get',
  'evalsha',
  'script|load',
];

/**
 * What Celery 5.6.3's Redis result backend adds when the file stores results (`results`;
 * ../shared/python-celery/celery/backends/redis.py, base.py): a result is a SETEX plus a PUBLISH on
 * the key's own channel in one MULTI/EXEC (`_set`), read with GET, or MGET for groups and after a
 * reconnect (`get_many`, `_reconnect_pubsub`); a waiting caller SUBSCRIBEs to the task's channel
 * (`ResultConsumer`, UNSUBSCRIBE when done); a chord part ZADDs to `<group>.j`, ZCOUNTs it, reads
 * the counters and EXPIREs the three chord keys, the last part ZRANGEs the results
 * (`on_chord_part_return`, with `result_chord_ordered` at Celery's default, True), and
 * `Task.add_to_chord` increments `.t`, which redis-py's `incr` sends as INCRBY. GET, SET, DEL, ZADD
 * and PUBLISH are in the list above already. Keys: all (`~*`), as before.
 * test/brokers/redis-results.test.ts sees each of these issued on a real server.
 */
const RESULT_COMMANDS = ['setex', 'mget', 'subscribe', 'incrby', 'expire', 'zcount', 'zrange'];

/**
 * Observers: events, inspect/control broadcasts and their replies, queue lengths. They publish to
 * fanout exchanges only, so they never read a binding set (SMEMBERS) nor test a queue (EXISTS);
 * the real-server test passes without either, and without DISCARD. Their reply list makes kombu
 * run the visibility restore in their process too (see OBSERVER_RESTORE_KEYS): the lock and the
 * overdue lookup, but none of the restore's writes (WATCH, HGET, RPUSH stay the app's).
 */
const OBSERVER_COMMANDS = [...CONNECTION, ...PUBSUB, ...OWN_QUEUES, 'llen', 'set', 'get', 'evalsha', 'script|load', 'zrevrangebyscore'];

/**
 * The visibility restore an observer runs without asking. kombu 5.6.2 (kombu/transport/redis.py)
 * calls `maybe_restore_messages` (:560) after every poll that returns nothing (`get`, :606)
 * while the channel has a non-fanout queue, and an inspect or control call consumes its reply list
 * with BRPOP, so it counts; `QoS.restore_visible` (:410-426) acts on the 1st, 11th, 21st... call.
 * A BRPOP that times out answers nil, which is an event, so a 5 s inspect never polls empty; one
 * that waits at most BRPOP's 1 s (`brpop_timeout`, :1331) does. Flower 2.0.1 waits 1000 ms
 * (`inspect_timeout`, mher/flower flower/options.py:18, used in flower/inspector.py:32), and
 * celery-exporter 0.12.2 calls `inspect()` with Celery's default 1.0 s (danihodovic/celery-exporter
 * src/exporter.py:238, :246; celery/app/control.py:80).
 * The restore takes a redis-py lock on `unacked_mutex` (`Mutex`, :164-185; redis-py 4.3.4
 * redis/lock.py:223 `SET name token NX PX`, released by the Lua script at lock.py:27, GET+DEL,
 * through EVALSHA with SCRIPT LOAD on NOSCRIPT, commands/core.py:4938-4944), then reads the
 * overdue tags with ZREVRANGEBYSCORE on `unacked_index` (:419). So observers may write the lock
 * key and read the index; refused either, the inspect call that runs the restore raises
 * NoPermissionError. Restoring an overdue tag (`restore_by_tag`, :428-438: WATCH, HGET of the
 * payload in `unacked`, then RPUSH to its queue, `_do_restore_message`, :796-809) stays refused:
 * an observer must neither read task payloads nor redeliver a task, and Flower, with kombu's
 * default visibility timeout of 3600 s (:644), would otherwise redeliver tasks the workers still
 * run under a longer one. Holding the lock, an observer only delays a worker's restore (a worker
 * that finds it held skips one round, :424); it could do as much with `control shutdown`.
 */
const OBSERVER_RESTORE_KEYS = ['~unacked_mutex', '%R~unacked_index'];

/**
 * The visibility timeout an observer's own transport gets, so that its restore never finds a tag
 * to restore: kombu looks for tags delivered before `time() - visibility_timeout` (:415), which
 * is before 1970 for 10^10 s, and uses the option for nothing else in the Redis transport (:415,
 * :457, :644, :712). With the app's value instead, while a dead worker's task is overdue, the
 * observer's restores are refused at WATCH and nearly every inspect call raises (a failed call's
 * channel is dropped, so the next one restores again) until a worker has restored the task
 * (test/brokers/python/test_redis_users.py). celery-exporter gets it (exporter-args.ts). Flower
 * does not: it reads no transport option from its command line or FLOWER_* variables (mher/flower
 * flower/command.py:36-91), only from a Celery config module, which its image does not have; so
 * while a message stays in `unacked` longer than 3600 s, Flower's inspect calls fail.
 */
export const OBSERVER_VISIBILITY_TIMEOUT = 10_000_000_000;

/**
 * Keys observers may write: their event queue `celeryev.<uuid>` (kombu declares it, LLEN, and
 * deletes it; the events themselves arrive over pub/sub), its binding in `_kombu.binding.celeryev`,
 * their reply lists (with the priority sub-lists kombu declares beside every list, `<name>\x06\x16<n>`) and the reply exchange's binding set.
 */
const OBSERVER_KEYS = ['~celeryev.*', '~_kombu.binding.celeryev', '~*.reply.celery.pidbox*', '~_kombu.binding.reply.celery.pidbox', ...OBSERVER_RESTORE_KEYS];

const rules = (keys: readonly string[], commands: readonly string[]): string => ['on', ...keys, '&*', '-@all', ...commands.map((c) => `+${c}`)].join(' ');

/** The three users of a Redis deployment (none for RabbitMQ). */
export function redisUsers(spec: DeploymentSpec): RedisUser[] {
  if (spec.broker.kind !== 'redis') return [];
  // Read-only on the task queues, and on their priority sub-queues (`<queue>\x06\x16<n>`).
  const queueReads = spec.queues.map((q) => `%R~${q.name}*`);
  return [
    // The app owns the broker's data (Celery creates queues by name on demand), so all keys;
    // what it may not do is administer the server: no FLUSHALL, CONFIG, KEYS, DEBUG, ACL...
    { role: 'app', name: redisUserName('app'), accessString: rules(['~*'], spec.results === undefined ? APP_COMMANDS : [...APP_COMMANDS, ...RESULT_COMMANDS]) },
    { role: 'exporter', name: redisUserName('exporter'), accessString: rules([...queueReads, ...OBSERVER_KEYS], OBSERVER_COMMANDS) },
    { role: 'flower', name: redisUserName('flower'), accessString: rules([...queueReads, ...OBSERVER_KEYS], OBSERVER_COMMANDS) },
  ];
}

/**
 * Why the engine cannot take the kit's users, or undefined. ElastiCache has RBAC from Valkey 7.2
 * and Redis OSS 6.0 (Clusters.RBAC.html); the access strings above use `+script|load` and
 * `%R~`, which ElastiCache documents from Redis OSS 7.0, so Redis OSS 6.x is refused.
 */
export function redisUsersUnsupported(broker: Pick<RedisBrokerSpec, 'engine' | 'engineVersion'>): string | undefined {
  const [major = 0, minor = 0] = broker.engineVersion.split('.').map(Number);
  if (broker.engine === 'valkey' && (major < 7 || (major === 7 && minor < 2))) {
    return `Valkey ${broker.engineVersion} is older than 7.2, the first Valkey ElastiCache offers with per-user access control`;
  }
  if (broker.engine === 'redis' && major < 7) {
    return `Redis OSS ${broker.engineVersion} is older than 7.0: the kit's per-component users need ACL subcommand and read-only key rules (Redis OSS 7.0+ on ElastiCache)`;
  }
  return undefined;
}

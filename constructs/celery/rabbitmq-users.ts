/**
 * The RabbitMQ users a deployment's components connect as, each with only the rights it needs,
 * and the bootstrap that creates them through the management HTTP API. Cloud-neutral: the users,
 * tags and permission patterns depend only on the spec, so every cloud that runs the bootstrap
 * grants the same rights, and test/brokers checks these exact patterns on a real RabbitMQ.
 *
 * Why a bootstrap: Amazon MQ for RabbitMQ accepts one user (an administrator) when the broker is
 * created; every further user is created "via the RabbitMQ management API or the RabbitMQ web
 * console" (https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-basic-elements-user.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-amazonmq-broker-user.html).
 *
 * The patterns are RabbitMQ permission regexes over queue and exchange names, per vhost
 * (https://www.rabbitmq.com/docs/access-control): configure (declare, delete), write (publish to
 * an exchange, bind a queue), read (consume, bind to an exchange). The names come from Celery and
 * kombu with the generated settings (constructs/celery/celery-settings.ts):
 * - the task queues and their direct exchanges, one per queue, named like the queue;
 * - `celeryev`, the events exchange, and `celeryev.<uuid>`, each event receiver's queue
 *   (the exporter, Flower, and a worker's gossip);
 * - `celery.pidbox`, the remote-control fanout exchange, `<node>.celery.pidbox`, each worker's
 *   control queue, `reply.celery.pidbox` and `<uuid>.reply.celery.pidbox`, the replies to
 *   `inspect` and `control` calls;
 * - `celery_delayed_*`, the exchanges and queues of native delayed delivery that Celery 5.5+
 *   declares for countdown/ETA tasks on quorum queues;
 * - `celerykit.dead-letter` and `<queue>.dead-letter`, which a worker declares when it is ready
 *   (the quorum queues dead-letter a poison message there, celery-settings.ts);
 * - `amq.default`, the default exchange, which Celery 5.6 publishes tasks to with the queue's name
 *   as routing key (seen on the real broker in test/brokers/rabbitmq-users.test.ts; the server
 *   refuses to declare or delete `amq.*` exchanges whatever configure allows).
 */
import type { DeploymentSpec } from '../../spec/types';
import { DEAD_LETTER_EXCHANGE, deadLetterQueueName } from './celery-settings';

/** Who connects: the app's processes (workers, beat, scheduled calls), the exporter, Flower. */
export const RABBITMQ_USER_ROLES = ['app', 'exporter', 'flower'] as const;
export type RabbitmqUserRole = (typeof RABBITMQ_USER_ROLES)[number];

/** The RabbitMQ user name of a role (Amazon MQ allows letters, digits, `-`, `.`, `_`). */
export const rabbitmqUserName = (role: RabbitmqUserRole): string => `celery-${role}`;

/** RabbitMQ permissions of one user on one vhost: three regexes. */
export interface RabbitmqPermissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export interface RabbitmqUser {
  readonly role: RabbitmqUserRole;
  readonly name: string;
  /** Management tags; none means no management API access at all. */
  readonly tags: readonly string[];
  readonly vhost: string;
  readonly permissions: RabbitmqPermissions;
  /** Variable the bootstrap reads this user's broker URL (and so its password) from. */
  readonly urlVariable: string;
}

/** Kombu's "//" in a broker URL is the default vhost "/", the only one Amazon MQ creates. */
export const CELERY_VHOST = '/';

const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anchored = (alternatives: readonly string[]): string => `^(${alternatives.join('|')})$`;

const EVENTS = ['celeryev', 'celeryev\\..*'];
const CONTROL_EXCHANGES = ['celery\\.pidbox', 'reply\\.celery\\.pidbox'];
const REPLY_QUEUES = ['.*\\.reply\\.celery\\.pidbox'];
/** Everything the app's own processes touch: queues, control and events, delayed delivery. */
function appResources(spec: DeploymentSpec): string[] {
  const deadLetters = [escape(DEAD_LETTER_EXCHANGE), ...spec.queues.map((q) => escape(deadLetterQueueName(q.name)))];
  return [...spec.queues.map((q) => escape(q.name)), ...deadLetters, ...EVENTS, ...CONTROL_EXCHANGES, '.*\\.celery\\.pidbox', 'celery_delayed_.*', 'amq\\.default'];
}

/**
 * Observers (exporter, Flower) declare and consume their own event queue, send `inspect` and
 * `control` broadcasts and read the replies, and look at the task queues: a passive declare (the
 * exporter's queue lengths) needs no permission at all, so they get none on the task queues and
 * may not publish, consume, purge or delete tasks (all refused on the real broker, test/brokers). Broadcasts share one exchange with every control command, so the broker
 * cannot tell `inspect stats` from `shutdown`; the exporter's limit there is its code, Flower's is
 * its front door (SSO).
 */
const OBSERVER_PERMISSIONS: RabbitmqPermissions = {
  // exchange.declare needs configure even when the exchange exists (kombu declares before use).
  configure: anchored([...EVENTS, ...CONTROL_EXCHANGES, ...REPLY_QUEUES]),
  // queue.bind needs write on the queue; basic.publish write on the exchange.
  write: anchored(['celeryev\\..*', 'celery\\.pidbox', ...REPLY_QUEUES]),
  // queue.bind needs read on the exchange; basic.consume read on the queue.
  read: anchored([...EVENTS, 'reply\\.celery\\.pidbox', ...REPLY_QUEUES]),
};

/** The three users of a RabbitMQ deployment (none for Redis). */
export function rabbitmqUsers(spec: DeploymentSpec): RabbitmqUser[] {
  if (spec.broker.kind !== 'rabbitmq') return [];
  const app = anchored(appResources(spec));
  const user = (role: RabbitmqUserRole, tags: string[], permissions: RabbitmqPermissions): RabbitmqUser => ({
    role,
    name: rabbitmqUserName(role),
    tags,
    vhost: CELERY_VHOST,
    permissions,
    urlVariable: `BROKER_URL_${role.toUpperCase()}`,
  });
  return [
    user('app', [], { configure: app, write: app, read: app }),
    // celery-exporter speaks AMQP only: events, inspect, passive queue declares (src/exporter.py).
    user('exporter', [], OBSERVER_PERMISSIONS),
    // Flower's broker tab lists the vhost's queues through the management API
    // (GET /api/queues/<vhost>, flower/utils/broker.py); "management" sees only the vhosts the
    // user has permissions on, and cannot change users, vhosts or policies.
    user('flower', ['management'], OBSERVER_PERMISSIONS),
  ];
}

/**
 * Variables the bootstrap reads: the administrator (JSON), the users (JSON), and the API base,
 * which defaults to `https://<broker host>/api/` (Amazon MQ serves the management API on 443 of
 * the AMQP host) taken from the first user's URL; the real-broker test sets it to plain HTTP.
 */
export const BOOTSTRAP_VARIABLES = { api: 'RABBITMQ_API', admin: 'RABBITMQ_ADMIN', users: 'RABBITMQ_USERS' } as const;

/**
 * The users as the bootstrap reads them: everything but the passwords, which it takes from each
 * user's broker URL, so the URL a component gets and the password its user has cannot differ.
 */
export function bootstrapUsersJson(users: readonly RabbitmqUser[]): string {
  return JSON.stringify(users.map(({ name, tags, vhost, permissions, urlVariable }) => ({ name, tags, vhost, permissions, urlVariable })));
}

/**
 * The bootstrap, a Python 3 program with the standard library only (it runs in the pinned Flower
 * image on AWS, and with Debian's python3 in test/brokers). Idempotent: PUT /api/users/<name> and
 * PUT /api/permissions/<vhost>/<name> create or overwrite, so a rerun sets the current password,
 * tags and permissions and nothing else (https://www.rabbitmq.com/docs/http-api-reference). It
 * waits up to 10 minutes for the API (a new broker's endpoint may accept connections before its
 * management API answers), reads each permission back, and exits non-zero on any failure.
 */
export const RABBITMQ_USERS_BOOTSTRAP = String.raw`
import base64, json, os, sys, time, urllib.error, urllib.parse, urllib.request
admin = json.loads(os.environ["${BOOTSTRAP_VARIABLES.admin}"])
users = json.loads(os.environ["${BOOTSTRAP_VARIABLES.users}"])
host = urllib.parse.urlsplit(os.environ[users[0]["urlVariable"]]).hostname
api = os.environ.get("${BOOTSTRAP_VARIABLES.api}", "https://%s/api/" % host).rstrip("/") + "/"
auth = "Basic " + base64.b64encode(("%s:%s" % (admin["username"], admin["password"])).encode()).decode()
q = lambda s: urllib.parse.quote(s, safe="")
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api + path, data=data, method=method, headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        raw = r.read()
        return json.loads(raw) if raw else None
deadline = time.time() + 600
while True:
    try:
        call("GET", "overview")
        break
    except (urllib.error.URLError, OSError) as e:
        if isinstance(e, urllib.error.HTTPError) and e.code in (401, 403):
            sys.exit("broker-users: the administrator is refused by %s: %s" % (api, e))
        if time.time() > deadline:
            sys.exit("broker-users: management API %s unreachable: %s" % (api, e))
        print("broker-users: waiting for %s (%s)" % (api, e), flush=True)
        time.sleep(10)
for u in users:
    url = urllib.parse.urlsplit(os.environ[u["urlVariable"]])
    name, password = urllib.parse.unquote(url.username or ""), urllib.parse.unquote(url.password or "")
    if name != u["name"] or not password:
        sys.exit("broker-users: %s does not carry the credentials of %s" % (u["urlVariable"], u["name"]))
    call("PUT", "users/" + q(name), {"password": password, "tags": ",".join(u["tags"])})
    call("PUT", "permissions/%s/%s" % (q(u["vhost"]), q(name)), u["permissions"])
    got = call("GET", "permissions/%s/%s" % (q(u["vhost"]), q(name)))
    if any(got.get(k) != u["permissions"][k] for k in ("configure", "write", "read")):
        sys.exit("broker-users: %s has %s, expected %s" % (name, got, u["permissions"]))
    print("broker-users: %s on %s, tags [%s]" % (name, u["vhost"], ",".join(u["tags"])), flush=True)
`;

/**
 * The observers' access strings (constructs/celery/redis-users.ts): what kombu's visibility restore
 * needs in their processes, and none of the restore's writes. The real-server proof is
 * test/brokers/redis-users.test.ts; this pins the rules that proof depends on.
 */
import { describe, expect, it } from 'vitest';
import { redisUsers } from '../../../constructs/celery/redis-users';
import { BASE_FILE, specFromYaml } from '../../helpers/parameter-files';

const users = redisUsers(specFromYaml(BASE_FILE));
const tokens = (role: string) => users.find((u) => u.role === role)!.accessString.split(' ');

describe.each(['exporter', 'flower'])('the %s user', (role) => {
  it('may take and release the restore lock and read the unacked index, as kombu does after an idle poll', () => {
    expect(tokens(role)).toEqual(expect.arrayContaining(['~unacked_mutex', '%R~unacked_index', '+set', '+get', '+del', '+evalsha', '+script|load', '+zrevrangebyscore']));
  });

  it('may neither read task payloads nor write the unacked index or a task queue', () => {
    const t = tokens(role);
    for (const command of ['+watch', '+hget', '+hgetall', '+hset', '+hdel', '+zadd', '+zrem', '+lpush', '+rpush', '+eval']) expect(t).not.toContain(command);
    // `unacked` (the payloads) matches no pattern; the index is read-only, the lock key alone writable.
    expect(t.filter((x) => x.includes('unacked'))).toEqual(['~unacked_mutex', '%R~unacked_index']);
    expect(t).not.toContain('~*');
  });
});

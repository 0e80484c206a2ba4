/**
 * The identity gate, run for real: the exact program the task definitions carry, under Node, in
 * front of a local upstream, with the load balancer's public keys served from a local key server.
 * Tokens are shaped like ALB's (ES256, header with kid/signer/iss/client/exp, base64url with `=`
 * padding, signed over the padded text).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALB_IDENTITY_GATE_SOURCE } from '../../../constructs/aws/alb-identity-gate-source';
import { albPublicKeyUrl } from '../../../constructs/aws/alb-identity-gate';

const SIGNER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/acme-prod-ops/50dc6c495c0c9188';
const ISSUER = 'https://login.example.com';
const CLIENT = 'celery-ops';
const KID = '8f6a1e2b-1d9e-4f6a-9a57-3c1f0e2d4b77';

const albKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** base64url as ALB writes it: URL alphabet, `=` padding kept. */
function padded(data: string | Buffer): string {
  return Buffer.from(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

interface TokenOptions {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  readonly key?: KeyObject;
  readonly padding?: boolean;
}

function albToken(options: TokenOptions = {}): string {
  const header = { alg: 'ES256', kid: KID, signer: SIGNER, iss: ISSUER, client: CLIENT, exp: Math.floor(Date.now() / 1000) + 120, ...options.header };
  const claims = { sub: 'user-1', email: 'ada@example.com', groups: ['celery-ops', 'staff'], ...options.claims };
  const encode = (data: string | Buffer) => (options.padding === false ? padded(data).replace(/=+$/, '') : padded(data));
  const input = `${encode(JSON.stringify(header))}.${encode(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key: options.key ?? albKey.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${encode(signature)}`;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** What the UI behind the gate received. */
const seen: IncomingHttpHeaders[] = [];
const keyRequests: string[] = [];
const upstream = createServer((request, response) => {
  seen.push(request.headers);
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(`upstream ${request.url}`);
});
const keys = createServer((request, response) => {
  keyRequests.push(request.url ?? '');
  if (request.url === `/${KID}`) {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(albKey.publicKey.export({ type: 'spki', format: 'pem' }));
  } else {
    response.writeHead(404);
    response.end();
  }
});

interface Gate {
  readonly process: ChildProcess;
  readonly url: string;
  output(): string;
}

async function startGate(env: Record<string, string>): Promise<Gate> {
  const child = spawn(process.execPath, ['-e', ALB_IDENTITY_GATE_SOURCE], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gate did not start: ${output}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"listening":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', () => reject(new Error(`the gate exited: ${output}`)));
  });
  return { process: child, url: `http://127.0.0.1:${port}`, output: () => output };
}

let flowerGate: Gate;
let grafanaGate: Gate;

beforeAll(async () => {
  const upstreamPort = await listen(upstream);
  const keyPort = await listen(keys);
  const common = {
    GATE_PORT: '0',
    GATE_LISTEN_HOST: '127.0.0.1',
    GATE_UPSTREAM_PORT: String(upstreamPort),
    GATE_SIGNER: SIGNER,
    GATE_ISSUER: ISSUER,
    GATE_CLIENT_ID: CLIENT,
    GATE_KEY_URL: `http://127.0.0.1:${keyPort}/`,
    GATE_GROUPS_CLAIM: 'groups',
  };
  flowerGate = await startGate({ ...common, GATE_ALLOWED_GROUPS: '["celery-ops"]', GATE_HEALTH_PATH: '/flower/healthcheck' });
  grafanaGate = await startGate({ ...common, GATE_ALLOWED_GROUPS: 'null', GATE_ADMIN_GROUPS: '["platform-admins"]', GATE_HEALTH_PATH: '/grafana/api/health' });
}, 30_000);

afterAll(async () => {
  for (const gate of [flowerGate, grafanaGate]) gate?.process.kill('SIGKILL');
  await Promise.all([upstream, keys].map((s) => new Promise((r) => s.close(r))));
});

async function call(gate: Gate, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; upstream?: IncomingHttpHeaders }> {
  const before = seen.length;
  const response = await fetch(`${gate.url}${path}`, { headers });
  const body = await response.text();
  return { status: response.status, body, ...(seen.length > before ? { upstream: seen[seen.length - 1] } : {}) };
}

describe('the identity gate in front of Flower', () => {
  it('passes a member of an allowed group, with the identity from the verified claims only', async () => {
    const r = await call(flowerGate, '/flower/dashboard', { 'x-amzn-oidc-data': albToken(), 'x-webauth-user': 'admin', 'x-webauth-role': 'Admin', 'x-amzn-oidc-identity': 'admin' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('upstream /flower/dashboard');
    expect(r.upstream).toMatchObject({ 'x-webauth-user': 'user-1', 'x-webauth-email': 'ada@example.com', 'x-webauth-role': 'Viewer' });
    expect(r.upstream!['x-amzn-oidc-data']).toBeUndefined();
    expect(r.upstream!['x-amzn-oidc-identity']).toBeUndefined();
  });

  it('takes the header volume of a real sign-in (claims, access token, the browser cookies)', async () => {
    const cookie = Array.from({ length: 4 }, (_, i) => `AWSELBAuthSessionCookie-${i}=${'x'.repeat(4000)}`).join('; ');
    const r = await call(flowerGate, '/flower/', { 'x-amzn-oidc-data': albToken(), 'x-amzn-oidc-accesstoken': 'a'.repeat(8000), cookie });
    expect(r.status).toBe(200);
  });

  it('accepts the token without padding too (the signature covers the text as sent)', async () => {
    expect((await call(flowerGate, '/flower/', { 'x-amzn-oidc-data': albToken({ padding: false }) })).status).toBe(200);
  });

  it('reads a groups claim written as one space- or comma-separated string', async () => {
    expect((await call(flowerGate, '/flower/', { 'x-amzn-oidc-data': albToken({ claims: { groups: 'staff,celery-ops' } }) })).status).toBe(200);
  });

  it.each([
    ['no token', undefined],
    ['a token another load balancer signed', albToken({ header: { signer: SIGNER.replace('acme-prod-ops', 'other-ops') } })],
    ['an expired token', albToken({ header: { exp: Math.floor(Date.now() / 1000) - 1 } })],
    ['a token with a bad signature', albToken({ key: otherKey.privateKey })],
    ['a token from another issuer', albToken({ header: { iss: 'https://evil.example.com' } })],
    ['a token for another client', albToken({ header: { client: 'other-app' } })],
    ['a token that is not ES256', albToken({ header: { alg: 'HS256' } })],
    ['a token whose key the key server does not have', albToken({ header: { kid: '00000000-0000-0000-0000-000000000000' } })],
    ['a token whose kid is a path', albToken({ header: { kid: '../../other' } })],
    ['a token without sub', albToken({ claims: { sub: undefined } })],
    ['a token with a tampered payload', (() => {
      const [h, , s] = albToken().split('.');
      return `${h}.${padded(JSON.stringify({ sub: 'user-1', groups: ['celery-ops'] }))}.${s}`;
    })()],
    ['something that is not a token', 'not-a-jwt'],
  ])('refuses %s with 401 and never reaches Flower', async (_, token) => {
    const r = await call(flowerGate, '/flower/api/workers', token === undefined ? {} : { 'x-amzn-oidc-data': token });
    expect(r.status).toBe(401);
    expect(r.upstream).toBeUndefined();
  });

  it('refuses a signed-in user outside the Flower groups with 403', async () => {
    const r = await call(flowerGate, '/flower/api/task/revoke/x', { 'x-amzn-oidc-data': albToken({ claims: { groups: ['staff'] } }) });
    expect(r.status).toBe(403);
    expect(r.upstream).toBeUndefined();
    expect((await call(flowerGate, '/flower/', { 'x-amzn-oidc-data': albToken({ claims: { groups: undefined } }) })).status).toBe(403);
  });

  it('never asks the key server for anything but a key id', () => {
    expect(keyRequests.length).toBeGreaterThan(0);
    for (const path of keyRequests) expect(path).toMatch(/^\/[A-Za-z0-9-]+$/);
  });

  it('lets the health check through without a token, and without any identity', async () => {
    const r = await call(flowerGate, '/flower/healthcheck', { 'x-webauth-user': 'admin' });
    expect(r.status).toBe(200);
    expect(r.upstream!['x-webauth-user']).toBeUndefined();
    expect((await call(flowerGate, '/flower/healthcheck?x=1')).status).toBe(401);
  });
});

describe('the identity gate in front of Grafana', () => {
  it('makes members of the admin groups Admins and everyone else signed in Viewers', async () => {
    const admin = await call(grafanaGate, '/grafana/', { 'x-amzn-oidc-data': albToken({ claims: { groups: ['platform-admins'] } }) });
    expect(admin.upstream).toMatchObject({ 'x-webauth-role': 'Admin' });
    const viewer = await call(grafanaGate, '/grafana/', { 'x-amzn-oidc-data': albToken({ claims: { groups: [] } }), 'x-webauth-role': 'Admin' });
    expect(viewer.status).toBe(200);
    expect(viewer.upstream).toMatchObject({ 'x-webauth-role': 'Viewer' });
  });

  it('still verifies the token when every signed-in user may view', async () => {
    expect((await call(grafanaGate, '/grafana/', { 'x-webauth-user': 'admin' })).status).toBe(401);
    expect((await call(grafanaGate, '/grafana/', { 'x-amzn-oidc-data': albToken({ header: { signer: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1' } }) })).status).toBe(401);
  });
});

describe('the identity gate process', () => {
  it('refuses to start without its settings', async () => {
    const child = spawn(process.execPath, ['-e', ALB_IDENTITY_GATE_SOURCE], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('GATE_PORT is not set');
  });

  it('stops on SIGTERM, as ECS stops a task', async () => {
    const gate = await startGate({
      GATE_PORT: '0',
      GATE_LISTEN_HOST: '127.0.0.1',
      GATE_UPSTREAM_PORT: '1',
      GATE_SIGNER: SIGNER,
      GATE_ISSUER: ISSUER,
      GATE_CLIENT_ID: CLIENT,
      GATE_KEY_URL: 'http://127.0.0.1:1',
      GATE_GROUPS_CLAIM: 'groups',
      GATE_ALLOWED_GROUPS: '[]',
      GATE_HEALTH_PATH: '/h',
    });
    const exited = new Promise((resolve) => gate.process.on('exit', (code) => resolve(code)));
    gate.process.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

it('fetches keys from the regional ALB key endpoint (GovCloud from S3)', () => {
  expect(albPublicKeyUrl('eu-west-1')).toBe('https://public-keys.auth.elb.eu-west-1.amazonaws.com');
  expect(albPublicKeyUrl('us-gov-west-1')).toBe('https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1');
});

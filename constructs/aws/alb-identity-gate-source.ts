/**
 * The program the identity gate runs (Node.js, standard library only, CommonJS), kept as text so
 * that the task definition carries exactly what test/constructs/aws/alb-identity-gate.test.ts runs.
 *
 * Per request it verifies the load balancer's signed `x-amzn-oidc-data` token and the caller's
 * groups, then proxies to the UI on 127.0.0.1. What it checks, from the ALB user guide
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#user-claims-encoding,
 * source text in awsdocs/elb-application-load-balancers-user-guide doc_source/listener-authenticate-users.md):
 * - the token is ES256 (ECDSA P-256 + SHA-256), signed with the regional key named by the header's
 *   `kid`, fetched from `<key url>/<kid>` as PEM;
 * - the header's `signer` is this stack's load balancer ARN (any other ALB's tokens are refused),
 *   `iss` the file's issuer, `client` the file's client id, `exp` in the future;
 * - the payload (the IdP's user-info claims) carries one of the allowed groups in the groups claim.
 * ALB encodes with base64url but keeps `=` padding and signs the padded text, which strict JWT
 * libraries refuse (awsdocs/elb-application-load-balancers-user-guide#42, awslabs/aws-jwt-verify#109),
 * so the gate verifies the signature over the segments exactly as received.
 *
 * Inbound `x-webauth-*` and `x-amzn-oidc-*` headers are always dropped; the gate sets
 * `x-webauth-user` (the `sub` claim), `x-webauth-email` and `x-webauth-role` (Admin or Viewer) from
 * the verified claims only. The one request let through without a token is the load balancer's
 * health check (GET on exactly the health path), and it carries no identity.
 *
 * Configuration (environment): GATE_PORT, GATE_LISTEN_HOST (default 0.0.0.0), GATE_UPSTREAM_PORT,
 * GATE_SIGNER, GATE_ISSUER, GATE_CLIENT_ID, GATE_KEY_URL, GATE_GROUPS_CLAIM, GATE_ALLOWED_GROUPS
 * (JSON list, or `null` for anyone the load balancer signed in), GATE_ADMIN_GROUPS (JSON list),
 * GATE_HEALTH_PATH. Nothing in it may contain a backtick or a dollar-brace: it is a template literal.
 */
export const ALB_IDENTITY_GATE_SOURCE = String.raw`'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const env = process.env;
function required(name) {
  const value = env[name];
  if (value === undefined || value === '') { console.error('identity gate: ' + name + ' is not set'); process.exit(2); }
  return value;
}
const PORT = Number(required('GATE_PORT'));
const HOST = env.GATE_LISTEN_HOST || '0.0.0.0';
const UPSTREAM_PORT = Number(required('GATE_UPSTREAM_PORT'));
const SIGNER = required('GATE_SIGNER');
const ISSUER = required('GATE_ISSUER');
const CLIENT_ID = required('GATE_CLIENT_ID');
const KEY_URL = required('GATE_KEY_URL').replace(/\/+$/, '');
const CLAIM = required('GATE_GROUPS_CLAIM');
const ALLOWED = JSON.parse(required('GATE_ALLOWED_GROUPS'));
const ADMINS = JSON.parse(env.GATE_ADMIN_GROUPS || '[]');
const HEALTH_PATH = required('GATE_HEALTH_PATH');
if (ALLOWED !== null && !Array.isArray(ALLOWED)) { console.error('identity gate: GATE_ALLOWED_GROUPS must be a JSON list or null'); process.exit(2); }

class Refusal extends Error {
  constructor(status, reason) { super(reason); this.status = status; }
}
// base64url, with the padding ALB adds; anything else (spaces, '+', '/') is refused before decoding.
function decode(segment) {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(segment)) throw new Refusal(401, 'token segment is not base64url');
  return Buffer.from(segment, 'base64url');
}
const keys = new Map();
async function publicKey(kid) {
  // The kid becomes part of a URL: only the characters of a key id, so it cannot point elsewhere.
  if (typeof kid !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(kid)) throw new Refusal(401, 'token has no usable kid');
  const cached = keys.get(kid);
  if (cached !== undefined) return cached;
  let pem;
  try {
    const response = await fetch(KEY_URL + '/' + kid, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    pem = await response.text();
  } catch (error) {
    throw new Refusal(401, 'no public key for kid ' + kid + ' (' + error.message + ')');
  }
  const key = crypto.createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails.namedCurve !== 'prime256v1') throw new Refusal(401, 'key ' + kid + ' is not a P-256 key');
  keys.set(kid, key);
  return key;
}
function groupsOf(claims) {
  const value = claims[CLAIM];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}
async function verify(token) {
  if (typeof token !== 'string' || token === '') throw new Refusal(401, 'no x-amzn-oidc-data header');
  const parts = token.split('.');
  if (parts.length !== 3) throw new Refusal(401, 'token is not three segments');
  let header;
  let claims;
  try {
    header = JSON.parse(decode(parts[0]).toString('utf8'));
    claims = JSON.parse(decode(parts[1]).toString('utf8'));
  } catch (error) {
    throw error instanceof Refusal ? error : new Refusal(401, 'token is not JSON');
  }
  if (header.alg !== 'ES256') throw new Refusal(401, 'token alg is not ES256');
  if (header.signer !== SIGNER) throw new Refusal(401, 'token was signed by another load balancer');
  if (header.iss !== ISSUER) throw new Refusal(401, 'token issuer is not the configured IdP');
  if (header.client !== CLIENT_ID) throw new Refusal(401, 'token is for another client id');
  const exp = Number(header.exp);
  if (!Number.isFinite(exp) || exp * 1000 <= Date.now()) throw new Refusal(401, 'token expired');
  const key = await publicKey(header.kid);
  const signed = crypto.verify('sha256', Buffer.from(parts[0] + '.' + parts[1], 'ascii'), { key: key, dsaEncoding: 'ieee-p1363' }, decode(parts[2]));
  if (!signed) throw new Refusal(401, 'token signature does not verify');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new Refusal(401, 'token has no sub claim');
  const groups = groupsOf(claims);
  const admin = groups.some((g) => ADMINS.includes(g));
  if (ALLOWED !== null && !admin && !groups.some((g) => ALLOWED.includes(g))) throw new Refusal(403, 'user is in none of the allowed groups');
  return { user: claims.sub, email: typeof claims.email === 'string' ? claims.email : '', role: admin ? 'Admin' : 'Viewer' };
}

const IDENTITY_HEADERS = /^(x-webauth-|x-amzn-oidc-)/i;
function upstreamHeaders(request, identity) {
  const headers = {};
  for (const [name, value] of Object.entries(request.headers)) if (!IDENTITY_HEADERS.test(name)) headers[name] = value;
  if (identity !== null) {
    headers['x-webauth-user'] = identity.user;
    if (identity.email !== '') headers['x-webauth-email'] = identity.email;
    headers['x-webauth-role'] = identity.role;
  }
  return headers;
}
function answer(response, status, text) {
  if (response.headersSent) { response.destroy(); return; }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text + '\n');
}
const agent = new http.Agent({ keepAlive: true });
// The load balancer adds the claims and the IdP's access token (up to 11K together, ALB guide,
// authentication flow), base64 grows them by a third, and the browser's cookies come on top: more
// than Node's default 16 KiB of headers (https://nodejs.org/api/cli.html#--max-http-header-sizesize).
const server = http.createServer({ maxHeaderSize: 65536 }, async (request, response) => {
  let identity = null;
  if (!(request.method === 'GET' && request.url === HEALTH_PATH)) {
    try {
      identity = await verify(request.headers['x-amzn-oidc-data']);
    } catch (error) {
      const status = error instanceof Refusal ? error.status : 401;
      console.log(JSON.stringify({ refused: status, reason: error.message, method: request.method, path: (request.url || '').split('?')[0] }));
      answer(response, status, status === 403 ? 'Forbidden: your account is not in a group allowed here' : 'Unauthorized');
      return;
    }
  }
  const upstream = http.request(
    { host: '127.0.0.1', port: UPSTREAM_PORT, method: request.method, path: request.url, headers: upstreamHeaders(request, identity), agent: agent },
    (reply) => { response.writeHead(reply.statusCode, reply.headers); reply.pipe(response); },
  );
  upstream.on('error', (error) => { console.log(JSON.stringify({ upstream: error.message })); answer(response, 502, 'Bad gateway'); });
  request.pipe(upstream);
});
server.listen(PORT, HOST, () => console.log(JSON.stringify({ listening: server.address().port, upstream: UPSTREAM_PORT, signer: SIGNER })));
// PID 1 in its container, where the kernel applies no default action: without a handler SIGTERM is
// ignored and ECS kills the task after stopTimeout (https://minhle.xyz/blog/docker-pid-1-signals-zombie-reaping).
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 10000).unref();
});
`;

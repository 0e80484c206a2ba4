/**
 * Credential-looking values in app.env and schedule arguments are refused, one line each with how
 * to pass them through the secret store; a reasoned notSecrets entry lets a look-alike through.
 */
import { describe, expect, it } from 'vitest';
import { secretLookingValue } from '../../spec/secret-values';
import { editBase, problemLines } from '../helpers/parameter-files';

const env = (lines: string) => problemLines(editBase({ 7: `  module: myapp\n  env:\n${lines}` }));
const kwargs = (text: string) => problemLines(editBase({ 25: `    task: myapp.tasks.reports.nightly\n    ${text}` }));
const ENV_FIX = 'Fix: move it to app.secrets';
const ARG_FIX = 'Fix: pass the name of a secret instead and let the task read it from the secret store (give the app access under app.secrets); if it is no secret, list it under notSecrets';

describe('credential-looking values', () => {
  it.each([
    ['DB_PASS: hunter2', 'DB_PASS', 'the name "DB_PASS" is a credential\'s name'],
    ['GITHUB_TOKEN: abc', 'GITHUB_TOKEN', 'the name "GITHUB_TOKEN" is a credential\'s name'],
    ['SIGNING_KEY: abc', 'SIGNING_KEY', 'the name "SIGNING_KEY" is a credential\'s name'],
    ['SENTRY_DSN: https://abc@o1.ingest.sentry.io/1', 'SENTRY_DSN', 'the name "SENTRY_DSN" is a credential\'s name'],
    ['DATABASE_URL: postgres://app:hunter2@db.internal/app', 'DATABASE_URL', 'the URL carries a user name and password'],
    ['UPSTREAM: sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'UPSTREAM', 'the value is random-looking text, as keys and tokens are'],
  ])('refuses app.env %s', (line, name, why) => {
    const lines = env(`    ${line}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `FILE:9: error: app.env.${name}: this looks like a secret (${why}), and plain values are readable by anyone who can describe the deployment. ${ENV_FIX} (${name}: <full ARN of the secret in Secrets Manager>); if it is no secret, list it under notSecrets: [{key: "app.env.${name}", reason: <why>}].`,
    );
  });

  it('refuses a secret in schedule kwargs, nested or in args', () => {
    expect(kwargs('kwargs: {api_key: abc, options: {auth: {password: x}}}\n    args: ["https://u:p@example.com/x"]')).toEqual([
      `FILE:26: error: schedules.nightly.kwargs.api_key: this looks like a secret (the name "api_key" is a credential's name), and plain values are readable by anyone who can describe the deployment. ${ARG_FIX}: [{key: "schedules.nightly.kwargs.api_key", reason: <why>}].`,
      `FILE:26: error: schedules.nightly.kwargs.options.auth.password: this looks like a secret (the name "password" is a credential's name), and plain values are readable by anyone who can describe the deployment. ${ARG_FIX}: [{key: "schedules.nightly.kwargs.options.auth.password", reason: <why>}].`,
      `FILE:27: error: schedules.nightly.args[0]: this looks like a secret (the URL carries a user name and password), and plain values are readable by anyone who can describe the deployment. ${ARG_FIX}: [{key: "schedules.nightly.args[0]", reason: <why>}].`,
    ]);
  });

  it('lets a look-alike through with a reasoned notSecrets entry', () => {
    const text = editBase({ 7: '  module: myapp\n  env:\n    CACHE_KEY_PREFIX: acme', 29: 'accountId: "123456789012"\nnotSecrets:\n  - key: app.env.CACHE_KEY_PREFIX\n    reason: "a Redis key prefix, no credential (checked by ops, OPS-12)"' });
    expect(problemLines(text)).toEqual([]);
  });

  it('refuses a notSecrets entry that matches nothing, and one without a reason', () => {
    expect(problemLines(editBase({ 29: 'accountId: "123456789012"\nnotSecrets:\n  - key: app.env.GONE\n    reason: "was a Redis key prefix, no credential at all"' }))).toEqual([
      'FILE:31: error: notSecrets[0].key: app.env.GONE is not a value the secret check refuses. Fix: remove this entry, or correct its key path (as the error named it).',
    ]);
    expect(problemLines(editBase({ 29: 'accountId: "123456789012"\nnotSecrets:\n  - key: app.env.X\n    reason: "fine"' }))).toEqual([
      'FILE:32: error: notSecrets[0].reason: an exception needs a written reason of at least 20 characters. Fix: say why this value is no secret and who checked.',
    ]);
  });

  it.each([
    'info',
    'myapp.settings.production',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/app:2.14.1',
    '0b7d3c1e-5a2f-4c8e-9d61-2f4a8b3e7c55',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'https://api.example.com/v2/reports',
  ])('accepts the ordinary value %s', (value) => {
    expect(secretLookingValue(value)).toBeUndefined();
  });

  it('accepts the examples\' env and kwargs as they are', () => {
    expect(kwargs('kwargs: { scope: all-accounts, keyspace: 3 }')).toEqual([]);
  });
});

/**
 * GCP name limits: service account ids take 6-30 characters. Long stack and pool names are cut
 * and given a short hash so two different inputs never collide.
 */
import { createHash } from 'node:crypto';

export function serviceAccountId(...parts: string[]): string {
  const name = parts.join('-');
  if (name.length <= 30) return name.length >= 6 ? name : `${name}-sa`.padEnd(6, '0');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, 23).replace(/-+$/, '')}-${hash}`;
}

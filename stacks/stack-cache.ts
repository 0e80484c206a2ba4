/**
 * An opt-in cache of finished stacks (CELERYKIT_CACHE_DIR): a run over a file set it has seen
 * before copies each unchanged stack's output instead of building, rendering and checking it again.
 *
 * A stack's output is a function of its validated DeploymentSpec (which holds everything read from
 * its file, its name included), the kit's compiled code, the installed dependencies (cdktf and the
 * providers render the JSON), the Node version, and the two paths a stack embeds (the local state
 * folder and the output folder). The key hashes all of them, so a change to any one is a miss and
 * the stack is built as on a cold run. Only stacks of a run that passed are stored (a run with a
 * violation or a failure writes nothing, the cache included), so a hit has no findings to report;
 * its suppression lines are stored with it and printed as on a cold run.
 *
 * Entries are written to a temporary name and renamed, so two runs sharing the folder never read a
 * half-written entry; an entry that cannot be read or parsed is a miss.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { serialize } from 'node:v8';
import type { DeploymentSpec } from '../spec/types';

/** What a stack's cache entry holds: what the main thread needs to write and summarize it. */
export interface CachedStack {
  /** cdk.tf.json exactly as it was written. */
  readonly text: string;
  readonly resources: number;
  /** The files beside cdk.tf.json (stack-artifacts.ts), by name. */
  readonly artifacts: Record<string, string>;
  /** The run's suppression lines for this stack. */
  readonly suppressed: string[];
}

/** Bumped when the entry format changes, so that old entries are misses. */
const FORMAT = 'celerykit-stack-cache-1';

/** Entries not used for this long are removed by the run that finds them. */
const UNUSED_ENTRY_LIFETIME_MS = 14 * 24 * 3600 * 1000;

/** Every compiled .js file of the kit, in a stable order. */
function kitFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) files.push(path);
    }
  };
  walk(root);
  return files;
}

/**
 * npm's record of the installed tree (node_modules/.package-lock.json: every package's version and
 * integrity), found from where cdktf is installed; undefined for installs without one.
 */
function installedTreeRecord(): string | undefined {
  let dir = dirname(require.resolve('cdktf/package.json'));
  while (dir !== dirname(dir)) {
    if (dir.endsWith('node_modules')) {
      const record = join(dir, '.package-lock.json');
      return existsSync(record) ? readFileSync(record, 'utf8') : undefined;
    }
    dir = dirname(dir);
  }
  return undefined;
}

export class StackCache {
  /**
   * The cache CELERYKIT_CACHE_DIR names, or undefined when it is unset, or when the kit runs from
   * TypeScript (no compiled code to fingerprint) or from an install without npm's record of it.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): StackCache | undefined {
    const dir = env.CELERYKIT_CACHE_DIR;
    if (dir === undefined || dir === '') return undefined;
    if (!__filename.endsWith('.js')) return undefined;
    const tree = installedTreeRecord();
    if (tree === undefined) return undefined;
    const kit = createHash('sha256').update(FORMAT).update(process.version).update(tree);
    const root = resolve(__dirname, '..');
    for (const file of kitFiles(root)) kit.update(file.slice(root.length)).update('\0').update(readFileSync(file)).update('\0');
    return new StackCache(resolve(dir), kit.digest('hex'));
  }

  /** Keys this run read (hits) or wrote: prune() keeps them. */
  private readonly used = new Set<string>();
  private readonly hits = new Set<string>();

  private constructor(
    readonly dir: string,
    /** The hash of the kit's code, its installed dependencies and the Node version. */
    readonly kitFingerprint: string,
  ) {}

  /** The key of the stack `spec` makes when built with these paths. */
  keyOf(spec: DeploymentSpec, localStateDir: string, outdir: string): string {
    return createHash('sha256')
      .update(this.kitFingerprint)
      .update('\0')
      .update(resolve(localStateDir))
      .update('\0')
      .update(resolve(outdir))
      .update('\0')
      .update(serialize(spec))
      .digest('hex');
  }

  private pathOf(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The entry under `key`, or undefined when there is none or it cannot be read. */
  get(key: string): CachedStack | undefined {
    const path = this.pathOf(key);
    let entry: unknown;
    try {
      entry = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
    if (!isCachedStack(entry)) return undefined;
    this.used.add(key);
    this.hits.add(key);
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // a shared, read-only cache still serves hits
    }
    return entry;
  }

  /** Whether get(key) found the entry in this run. */
  wasHit(key: string): boolean {
    return this.hits.has(key);
  }

  /** Stores `stack` under `key`, atomically. */
  put(key: string, stack: CachedStack): void {
    mkdirSync(this.dir, { recursive: true });
    const temporary = join(this.dir, `.${key}.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(stack));
    renameSync(temporary, this.pathOf(key));
    this.used.add(key);
  }

  /** Removes entries this run did not use and no run used for two weeks. */
  prune(now = Date.now()): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') || this.used.has(name.slice(0, -'.json'.length))) continue;
      const path = join(this.dir, name);
      try {
        if (now - statSync(path).mtimeMs > UNUSED_ENTRY_LIFETIME_MS) rmSync(path, { force: true });
      } catch {
        // removed by another run meanwhile
      }
    }
  }
}

function isCachedStack(v: unknown): v is CachedStack {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.text === 'string' &&
    typeof e.resources === 'number' &&
    typeof e.artifacts === 'object' &&
    e.artifacts !== null &&
    Object.values(e.artifacts).every((a) => typeof a === 'string') &&
    Array.isArray(e.suppressed) &&
    e.suppressed.every((s) => typeof s === 'string')
  );
}

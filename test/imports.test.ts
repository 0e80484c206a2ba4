/**
 * Provider packages are imported one resource at a time. Requiring a provider package root loads
 * every resource class (measured here: ~3.7 s and ~950 MB for both roots, ~0.15 s for single ones).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(__dirname, '..');
const SOURCE_FOLDERS = ['spec', 'stacks', 'constructs', 'scripts', 'test'];

/** Import specifiers that load a whole provider: the package root, or its lib/ index. */
const ROOT_IMPORT = /(?:from\s*|require\s*\(\s*|import\s*\(\s*)['"](@cdktf\/provider-[a-z0-9-]+)(\/lib(\/index(\.js)?)?)?\/?['"]/g;

export function providerRootImports(source: string): string[] {
  return [...source.matchAll(ROOT_IMPORT)].map((m) => m[0]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe('provider imports', () => {
  it('recognizes every form of a provider root import, and allows single-resource imports', () => {
    expect(providerRootImports(`import { AwsProvider } from '@cdktf/provider-aws';`)).toHaveLength(1);
    expect(providerRootImports(`import * as google from "@cdktf/provider-google/lib";`)).toHaveLength(1);
    expect(providerRootImports(`const aws = require('@cdktf/provider-aws/lib/index.js');`)).toHaveLength(1);
    expect(providerRootImports(`const m = await import('@cdktf/provider-aws/');`)).toHaveLength(1);
    expect(providerRootImports(`import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';`)).toEqual([]);
  });

  it('never load a whole provider package anywhere in the kit', () => {
    const files = [join(repo, 'main.ts'), ...SOURCE_FOLDERS.flatMap((f) => sourceFiles(join(repo, f)))];
    expect(files.length).toBeGreaterThan(10);
    const offenders = files
      .filter((f) => !f.endsWith('imports.test.ts'))
      .flatMap((f) => providerRootImports(readFileSync(f, 'utf8')).map((m) => `${relative(repo, f)}: ${m}`));
    expect(offenders).toEqual([]);
  });
});

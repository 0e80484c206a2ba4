/**
 * cdktf's resolve, with the plain parts of a value skipped instead of walked.
 *
 * cdktf's resolver (cdktf/lib/tokens/private/resolve.js, 0.21, pinned) treats every value alike:
 * for each string, number, array element and object key it allocates two resolution contexts with
 * closures and runs up to four regular expressions, even when the value holds no token. Most of a
 * rendered stack is such plain data (names, ports, policy text), so that walk was most of the
 * render time. This resolver decides, for each value, with the same tests cdktf's resolve makes,
 * whether cdktf could change it: a string with a token marker or an encoded number, an encoded
 * number, an array with a list token, an object with a map-token key, anything resolvable, a
 * construct, or nesting past cdktf's depth limit. Such a value is handed to cdktf's own resolve,
 * with the same scope, preparing flag and key path; every other value comes back as cdktf would
 * return it (arrays and objects copied, undefined entries dropped). The result is therefore what
 * cdktf's resolve returns; test/stacks/plain-value-resolve.test.ts compares the two on every
 * element of the examples and of generated files, and on hand-made values of each kind.
 */
import { DefaultTokenResolver, StringConcat, Token, Tokenization, type ITokenResolver } from 'cdktf';
import type { IConstruct } from 'constructs';

interface CdktfResolveOptions {
  readonly scope: IConstruct;
  readonly prefix?: string[];
  readonly resolver: ITokenResolver;
  readonly preparing: boolean;
}

// cdktf's internals this mirrors; cdktf 0.21 exports none of them.
const { resolve: cdktfResolve } = require('cdktf/lib/tokens/private/resolve') as { resolve: (obj: unknown, options: CdktfResolveOptions) => unknown };
const encoding = require('cdktf/lib/tokens/private/encoding') as {
  TokenString: { forNumbers(s: string): { test(): boolean } };
  containsStringListTokenElement(xs: unknown[]): boolean;
  containsNumberListTokenElement(xs: unknown[]): boolean;
  containsMapToken(xs: object): boolean;
  extractTokenDouble(encoded: number, list: boolean): number | undefined;
};

// The resolver cdktf/lib/_tokens.js resolves stacks with (stateless apart from its concatenation).
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** cdktf's resolve throws past this many keys of nesting (unableToResolveCircularReference). */
const CDKTF_MAX_DEPTH = 200;

/** A key path, kept as links and turned into cdktf's prefix array only when handed over. */
interface Path {
  readonly parent: Path | undefined;
  readonly key: string;
  readonly depth: number;
}

function prefixOf(path: Path | undefined): string[] {
  const keys: string[] = [];
  for (let p = path; p !== undefined; p = p.parent) keys.push(p.key);
  return keys.reverse();
}

/** Whether cdktf's resolve could return anything but `s` itself for this string (or throw). */
function stringNeedsCdktf(s: string): boolean {
  // Both the string and the list token markers ("${TfToken[", "#{TfToken[") contain this.
  return s.includes('{TfToken[') || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE || encoding.TokenString.forNumbers(s).test();
}

function numberNeedsCdktf(x: number): boolean {
  return x === Token.NUMBER_MAP_TOKEN_VALUE || encoding.extractTokenDouble(x, false) !== undefined;
}

/** cdktf's test for a construct, which its resolve refuses. */
function isConstruct(x: object): boolean {
  return (x as { _children?: unknown })._children !== undefined && (x as { _metadata?: unknown })._metadata !== undefined;
}

/** Whether cdktf's resolve could treat this object other than as a plain record of its own keys. */
function objectNeedsCdktf(obj: object): boolean {
  if (encoding.containsMapToken(obj) || Tokenization.isResolvable(obj) || isConstruct(obj)) return true;
  for (const key of Object.keys(obj)) if (stringNeedsCdktf(key)) return true;
  return false;
}

/**
 * What `resolve(scope, obj, preparing)` of cdktf/lib/_tokens returns, the same value, found without
 * walking the plain parts of `obj` through cdktf.
 */
export function resolvePlainFast(scope: IConstruct, obj: unknown, preparing = false): unknown {
  const handOver = (value: unknown, path: Path | undefined): unknown => cdktfResolve(value, { scope, prefix: prefixOf(path), resolver: RESOLVER, preparing });

  const walk = (value: unknown, path: Path | undefined): unknown => {
    if ((path?.depth ?? 0) > CDKTF_MAX_DEPTH) return handOver(value, path);
    switch (typeof value) {
      case 'undefined':
        return undefined;
      case 'string':
        return stringNeedsCdktf(value) ? handOver(value, path) : value;
      case 'number':
        return numberNeedsCdktf(value) ? handOver(value, path) : value;
      case 'function':
        return handOver(value, path);
      case 'object':
        break;
      default:
        return value;
    }
    if (value === null || value instanceof Date) return value;
    const depth = (path?.depth ?? 0) + 1;
    if (Array.isArray(value)) {
      if (encoding.containsStringListTokenElement(value) || encoding.containsNumberListTokenElement(value)) return handOver(value, path);
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const r = walk(value[i], { parent: path, key: `${i}`, depth });
        if (r !== undefined) out.push(r);
      }
      return out;
    }
    if (objectNeedsCdktf(value)) return handOver(value, path);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const r = walk((value as Record<string, unknown>)[key], { parent: path, key, depth });
      if (r !== undefined) out[key] = r;
    }
    return out;
  };

  return walk(obj, undefined);
}

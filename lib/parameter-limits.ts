/**
 * The parameter file's limits (spec/read-file.ts) for parameters passed as a TypeScript object.
 * A file is bounded before it is parsed; an object arrives built, and may hold what no file can: a
 * reference to itself, nesting limited only by memory, shared subtrees. The schema and the checks
 * recurse over what they are given, so without this walk a cycle or 10,000 levels end in a
 * RangeError and 200,000 `app.env` keys take minutes.
 *
 * One pass without recursion that stops at the first limit passed, so its time is bounded by the
 * limits rather than by the object. Shared subtrees count each time they are reached, as a YAML
 * alias counts its copies.
 */
import { formatKeyPath, type KeyPath, type SpecProblem } from '../spec/problems';
import { PARAMETER_FILE_LIMITS, RESERVED_KEYS, reservedKeyProblem } from '../spec/read-file';

const REMOVE_BULK = 'remove what a deployment does not need (generated keys, pasted data)';

/** The first limit `parameters` passes, as a problem naming its key path; undefined within limits. */
export function parameterLimitProblem(parameters: unknown, source: string): SpecProblem | undefined {
  const problem = (path: KeyPath, text: string, fix: string): SpecProblem => ({ severity: 'error', file: source, path, problem: text, fix });
  if (!isPlainData(parameters)) return problem([], `the parameters must be an object, not ${describe(parameters)}`, 'pass an object with the keys of a parameter file (docs/parameters.md)');

  let entries = 0;
  let textLength = 0;
  // Each entry carries the objects above it (at most maxDepth), so a cycle is found where it closes.
  const stack: Array<{ value: unknown; path: KeyPath; above: readonly object[] }> = [{ value: parameters, path: [], above: [] }];
  while (stack.length > 0) {
    const { value, path, above } = stack.pop()!;
    if (typeof value === 'string') {
      textLength += value.length;
      if (textLength > PARAMETER_FILE_LIMITS.maxBytes) return problem(path, `the parameters hold more than the ${PARAMETER_FILE_LIMITS.maxBytes / 1024 / 1024} MiB of text a parameter file may have`, REMOVE_BULK);
      continue;
    }
    // Class instances (a construct, a Date, a cdktf token object) are not walked: the schema refuses them by type.
    if (!isPlainData(value)) continue;
    const ancestor = above.indexOf(value);
    if (ancestor >= 0) {
      const target = path.slice(0, ancestor);
      return problem(path, `refers back to ${target.length === 0 ? 'the parameters themselves' : formatKeyPath(target)}, so the parameters never end (a cycle)`, 'put a copy of the data here instead of a reference to an object that contains it');
    }
    if (above.length + 1 > PARAMETER_FILE_LIMITS.maxDepth) {
      return problem(path, `nests objects and arrays deeper than the ${PARAMETER_FILE_LIMITS.maxDepth} levels a parameter file may have`, 'flatten the data; the parameters need a few levels only');
    }
    const keys = Object.keys(value);
    entries += keys.length;
    if (entries > PARAMETER_FILE_LIMITS.maxKeys) {
      const own = keys.length > PARAMETER_FILE_LIMITS.maxKeys ? ` (this one alone has ${keys.length.toLocaleString('en-US')})` : '';
      return problem(path, `the parameters have more than the ${PARAMETER_FILE_LIMITS.maxKeys.toLocaleString('en-US')} keys and list items a parameter file may have${own}`, REMOVE_BULK);
    }
    const below = [...above, value];
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const at = [...path, Array.isArray(value) ? i : key];
      if (!Array.isArray(value) && RESERVED_KEYS.has(key)) {
        const reserved = reservedKeyProblem(key);
        return problem(at, reserved.problem, reserved.fix);
      }
      const read = readOwn(value, key);
      if ('error' in read) return problem(at, `reading this value threw: ${read.error}`, 'pass plain data (no getters that throw, no revoked proxies)');
      stack.push({ value: read.value, path: at, above: below });
    }
  }
  return undefined;
}

/** Objects and arrays the walk descends into: what YAML or JSON could have produced. */
function isPlainData(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function readOwn(value: object, key: string): { value: unknown } | { error: string } {
  try {
    return { value: (value as Record<string, unknown>)[key] };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'a class'}`;
  return `a ${typeof value}`;
}

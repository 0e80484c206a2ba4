/**
 * Renders a finished stack to its Terraform JSON in one pass over its elements.
 *
 * cdktf's own synth walks every value of a stack three times: a "preparing" resolve of every
 * element (it only looks for references to other stacks), a resolve of every element's block, and a
 * resolve of the whole merged document again. This does the second walk only, with the preparing
 * flag set so that it also registers references to other stacks, and then resolves only what is
 * not resolved yet (the stack-level overrides). It follows TerraformStack.toTerraform of cdktf 0.21
 * (pinned) step by step; test/main.test.ts and the byte-identical benchmark runs compare the output.
 */
import { TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
// cdktf's merge, the one its own toTerraform uses; cdktf 0.21 has no public export of it.
import { deepMerge } from 'cdktf/lib/util';
import type { IConstruct } from 'constructs';
// cdktf's resolve, without walking the plain parts of each value through it (same result).
import { resolvePlainFast as resolve } from './plain-value-resolve';

/** The private fields of TerraformStack that its toTerraform reads. */
interface StackInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

/** The stack's elements in cdktf's order (depth first, not into nested stacks). */
function elementsOf(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) elementsOf(child, into);
  }
  return into;
}

/**
 * The stack's Terraform JSON, equal to `prepareStack()` followed by `toTerraform()`; undefined when
 * resolving added elements (a reference to another stack), in which case the caller renders the
 * cdktf way.
 */
export function renderStackOnce(stack: TerraformStack): Record<string, unknown> | undefined {
  const { rawOverrides, cdktfVersion } = stack as unknown as StackInternals;
  stack.ensureBackendExists();
  const elements = elementsOf(stack);
  const metadata: Record<string, unknown> = {
    version: cdktfVersion,
    stackName: stack.node.id,
    backend: 'local', // overwritten by the backend's own metadata
    cloud: undefined,
    ...(Object.keys(rawOverrides).length > 0 ? { overrides: { stack: Object.keys(rawOverrides) } } : {}),
  };
  for (const e of elements) deepMerge(metadata, resolve(stack, e.toMetadata()));
  const outputs: Record<string, unknown> = {};
  for (const e of elements) {
    if (!TerraformOutput.isTerraformOutput(e)) continue;
    deepMerge(outputs, e.node.path.split('/').reduceRight<Record<string, unknown>>((inner, part) => (Object.keys(inner).length === 0 ? { [part]: e.friendlyUniqueId } : { [part]: inner }), {}));
  }
  const tf: Record<string, unknown> = { '//': { metadata, outputs } };
  for (const e of elements) deepMerge(tf, resolve(stack, e.toTerraform(), true));
  if (elementsOf(stack).length !== elements.length) return undefined;
  // Every block is resolved already and resolving a resolved value changes nothing, so cdktf's
  // final resolve of the whole document only matters for the top-level blocks the overrides touch,
  // and for the metadata (it drops its undefined entries).
  deepMerge(tf, rawOverrides);
  for (const key of ['//', ...Object.keys(rawOverrides)]) {
    if (key in tf) tf[key] = resolve(stack, tf[key]);
  }
  return tf;
}

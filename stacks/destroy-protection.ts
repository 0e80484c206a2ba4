/**
 * Lifting destroy protection for one stack, when its parameter file sets `allowDestroy`.
 *
 * The constructs always protect what they create (prevent_destroy, plus the cloud's own deletion
 * protection where it has one). Lifting it is done here, once, after the stack is built, so no
 * construct needs a switch and nothing can be forgotten: every protected resource of the stack is
 * released, and only these.
 */
import { TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import { DELETION_PROTECTION_ARGUMENT } from '../constructs/celery/deletion-protection';

/** Turns prevent_destroy and deletion protection off on every protected resource under `scope`; returns how many. */
export function releaseDestroyProtection(scope: IConstruct): number {
  let released = 0;
  for (const node of scope.node.findAll()) {
    if (!(node instanceof TerraformResource) || node.lifecycle?.preventDestroy !== true) continue;
    node.lifecycle = { ...node.lifecycle, preventDestroy: false };
    const argument = DELETION_PROTECTION_ARGUMENT[node.terraformResourceType];
    if (argument !== undefined) node.addOverride(argument, false);
    released += 1;
  }
  return released;
}

/**
 * The broker admits only the kit's own components, on the broker's ports, and nothing from an
 * address range.
 */
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthesizeDir, type TerraformJson } from '../../helpers/synth';

const stacks = synthesizeDir().filter((s) => s.spec.cloud === 'aws');

function brokerGroupName(json: TerraformJson): string {
  const [name] = Object.entries(resourcesOf(json, 'aws_security_group')).find(([, g]) => String(g.name).endsWith('-broker'))!;
  return name;
}

describe.each(stacks.map((s) => [s.spec.stackId, s] as const))('the broker security group of %s', (_id, stack) => {
  const json = stack.json;
  const broker = brokerGroupName(json);
  const ingress = Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).filter((r) => r.security_group_id === `\${aws_security_group.${broker}.id}`);

  it('admits only the workers, exporter, Flower and scheduled-task groups', () => {
    const sources = ingress.map((r) => String(r.referenced_security_group_id));
    const names = sources.map((s) => /^\$\{aws_security_group\.([^.]+)\.id\}$/.exec(s)?.[1]).map((n) => resourcesOf(json, 'aws_security_group')[n!]!.name);
    const id = stack.spec.stackId;
    expect(new Set(names)).toEqual(new Set([`${id}-workers`, `${id}-exporter`, `${id}-flower`, `${id}-scheduled-tasks`]));
  });

  it('has no ingress from any address range, let alone 0.0.0.0/0, and no egress', () => {
    for (const rule of ingress) {
      expect(rule.cidr_ipv4 ?? null).toBeNull();
      expect(rule.cidr_ipv6 ?? null).toBeNull();
    }
    const egress = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule')).filter((r) => r.security_group_id === `\${aws_security_group.${broker}.id}`);
    expect(egress).toEqual([]);
    expect(resourcesOf(json, 'aws_security_group')[broker]!.ingress ?? null).toBeNull();
  });

  it('opens only the broker ports', () => {
    const ports = new Set(ingress.map((r) => r.from_port));
    expect(ports).toEqual(stack.spec.broker.kind === 'redis' ? new Set([6379]) : new Set([5671, 443]));
    for (const rule of ingress) expect(rule.to_port).toBe(rule.from_port);
  });
});

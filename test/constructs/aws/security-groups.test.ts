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

  it('admits only the kit components that connect, each on the ports it uses', () => {
    const byGroup = new Map<string, number[]>();
    for (const rule of ingress) {
      const key = /^\$\{aws_security_group\.([^.]+)\.id\}$/.exec(String(rule.referenced_security_group_id))![1]!;
      const name = String(resourcesOf(json, 'aws_security_group')[key]!.name);
      byGroup.set(name, [...(byGroup.get(name) ?? []), Number(rule.from_port)].sort((a, b) => a - b));
    }
    const id = stack.spec.stackId;
    if (stack.spec.broker.kind === 'redis') {
      expect(Object.fromEntries(byGroup)).toEqual({ [`${id}-workers`]: [6379], [`${id}-exporter`]: [6379], [`${id}-flower`]: [6379], [`${id}-scheduled-tasks`]: [6379] });
    } else {
      // celery-exporter speaks AMQP only; Flower's broker tab and the users bootstrap use the
      // management API (443), and the bootstrap never speaks AMQP.
      expect(Object.fromEntries(byGroup)).toEqual({
        [`${id}-workers`]: [5671],
        [`${id}-exporter`]: [5671],
        [`${id}-flower`]: [443, 5671],
        [`${id}-scheduled-tasks`]: [5671],
        [`${id}-broker-users`]: [443],
      });
    }
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

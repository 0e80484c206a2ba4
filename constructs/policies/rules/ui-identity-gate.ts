/**
 * A UI behind an OIDC load balancer is reached through the identity gate only. ALB
 * `authenticate-oidc` admits anyone the IdP signs in and cannot filter on groups
 * (constructs/aws/alb-identity-gate.ts), so the container the load balancer targets must be the
 * gate, which verifies the signed token and the groups on every request; no other container of the
 * task publishes a port. Flower (which revokes tasks and shuts workers down) must be limited to a
 * named list of groups, never to everyone the IdP admits.
 */
import { ALB_IDENTITY_GATE_SOURCE } from '../../aws/alb-identity-gate-source';
import { blocks, type CheckedResource, type PolicyRule } from '../policy-rule';
import { referencesIn } from '../resource-graph';

interface Container {
  readonly name?: string;
  readonly command?: unknown[];
  readonly portMappings?: unknown[];
  readonly environment?: Array<{ name: string; value: string }>;
}

function containersOf(task: CheckedResource | undefined): Container[] {
  try {
    return JSON.parse(String(task?.config.container_definitions ?? '[]')) as Container[];
  } catch {
    return [];
  }
}

/** A JSON setting, or undefined when it is missing or not JSON (a malformed gate setting fails the check, not the synth). */
function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? 'null');
  } catch {
    return undefined;
  }
}

const isGate = (c: Container | undefined) => c?.command?.[0] === 'node' && c.command[1] === '-e' && c.command[2] === ALB_IDENTITY_GATE_SOURCE;
const runsFlower = (c: Container) => c.command?.[0] === 'celery' && c.command.includes('flower');
const envOf = (c: Container, name: string) => c.environment?.find((e) => e.name === name)?.value;

export const uiIdentityGate: PolicyRule = {
  id: 'CK-UI-GATED',
  title: 'a UI behind an OIDC load balancer is reached through the identity gate only',
  rationale: 'the load balancer signs in anyone the IdP knows; groups are checked in the task, on every request',
  fix: "target the task's identity gate container (albIdentityGateContainer), publish no other port, and give Flower's gate a list of groups",
  // Listed for the docs; the rule follows listener rules to services and their task definitions (checkStack).
  resourceTypes: ['aws_ecs_service', 'aws_lb_listener_rule', 'aws_ecs_task_definition'],
  check: () => undefined,
  checkStack: (resources) => {
    const problems: Array<{ resource: CheckedResource; problem: string }> = [];
    const byAddress = new Map(resources.map((r) => [r.address, r]));
    const oidcTargets = new Set(
      resources
        .filter((r) => r.type === 'aws_lb_listener_rule' || r.type === 'aws_lb_listener')
        .flatMap((r) => {
          const actions = blocks(r.config, r.type === 'aws_lb_listener' ? 'default_action' : 'action');
          if (!actions.some((a) => a.type === 'authenticate-oidc')) return [];
          return actions.filter((a) => a.type === 'forward').flatMap((a) => [String(a.target_group_arn), ...blocks(a, 'forward').flatMap((f) => blocks(f, 'target_group').map((t) => String(t.arn)))]);
        }),
    );
    for (const service of resources.filter((r) => r.type === 'aws_ecs_service')) {
      const targeted = blocks(service.config, 'load_balancer').filter((l) => oidcTargets.has(String(l.target_group_arn)));
      if (targeted.length === 0) continue;
      const [taskAddress] = referencesIn(String(service.config.task_definition ?? '')).filter((a) => a.startsWith('aws_ecs_task_definition.'));
      const containers = containersOf(taskAddress === undefined ? undefined : byAddress.get(taskAddress));
      for (const target of targeted) {
        const container = containers.find((c) => c.name === target.container_name);
        if (!isGate(container)) {
          problems.push({ resource: service, problem: `the OIDC load balancer targets container ${String(target.container_name)}, which is not the identity gate` });
          continue;
        }
        if (!referencesIn(envOf(container!, 'GATE_SIGNER') ?? '').some((a) => a.startsWith('aws_lb.'))) problems.push({ resource: service, problem: "its identity gate does not take the load balancer's ARN as the token signer" });
      }
      for (const other of containers.filter((c) => !isGate(c) && (c.portMappings ?? []).length > 0)) {
        problems.push({ resource: service, problem: `container ${String(other.name)} publishes a port beside the identity gate` });
      }
      if (containers.some(runsFlower)) {
        const allowed = containers.filter(isGate).map((g) => envOf(g, 'GATE_ALLOWED_GROUPS'));
        const named = allowed.length > 0 && allowed.every((a) => {
          const parsed = parseJson(a);
          return Array.isArray(parsed) && parsed.length > 0;
        });
        if (!named) problems.push({ resource: service, problem: "runs Flower, but its identity gate admits anyone the IdP signs in (GATE_ALLOWED_GROUPS is not a list of groups)" });
      }
    }
    return problems;
  },
};

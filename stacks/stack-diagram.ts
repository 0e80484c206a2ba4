/**
 * One picture per stack: a Mermaid flowchart of what the spec deploys (broker and queues, the pool
 * consuming each queue with its size and scaling bounds, periodic tasks, monitoring, the network).
 * Built from the spec alone, so the picture can never show something the stack does not create.
 * Same spec in, same text out: the examples' diagrams are committed and compared in tests.
 */
import { basename } from 'node:path';
import { e2MachineType } from '../spec/gcp-machine-types';
import type { BrokerSpec, DeploymentSpec, MonitoringSpec, NetworkSpec, QueueSpec, WorkerPoolSpec } from '../spec/types';

// Mermaid entity codes for what would end a quoted label or be read as markup; `#` and `;` too,
// because Mermaid reads `#...;` in labels as an entity. One pass, so codes are never escaped again.
const ENTITIES: Readonly<Record<string, string>> = { '"': '#quot;', '<': '#lt;', '>': '#gt;', '#': '#35;', ';': '#59;', '&': '#amp;', '`': '#96;' };

/** Text made safe inside a quoted Mermaid label; control characters (line breaks) become spaces. */
export function mermaidText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/["<>#;&`]/g, (c) => ENTITIES[c]!);
}

/**
 * A node id from a prefix and a name: letters and digits stay, every other character becomes
 * `_<hex code>_`. Distinct names give distinct ids (`a-b` and `a_b` do not collide), and the prefix
 * keeps ids off Mermaid's keywords such as `end`.
 */
export function mermaidId(prefix: string, name: string): string {
  const encoded = [...name].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}_`)).join('');
  return `${prefix}_${encoded}`;
}

/** A quoted label from lines of plain text (each escaped), joined with Mermaid line breaks. */
function label(...lines: Array<string | undefined>): string {
  return `"${lines
    .filter((l): l is string => l !== undefined && l !== '')
    .map(mermaidText)
    .join('<br/>')}"`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function stackDiagram(spec: DeploymentSpec): string {
  const out: string[] = ['flowchart LR'];
  const edges: string[] = [];
  const aws = spec.cloud === 'aws';
  const account = aws ? `account ${spec.accountId ?? ''}` : `project ${spec.project ?? ''}`;

  out.push(`  subgraph sg_stack[${label(`${aws ? 'AWS' : 'GCP'} ${spec.region}: stack ${spec.stackId} (${account})`)}]`);
  out.push('    direction LR');
  out.push(`    subgraph sg_network[${label(networkTitle(spec.network, spec.cloud))}]`);
  out.push('      direction LR');

  // Broker and its queues. Nodes are declared inside their subgraph and edges only at the end:
  // Mermaid moves a node into whichever subgraph block first mentions it.
  out.push(`      subgraph sg_broker[${label('broker')}]`);
  out.push(`        broker[(${label(...brokerLines(spec.broker, spec.cloud))})]`);
  for (const q of spec.queues) out.push(`        ${mermaidId('queue', q.name)}[[${label(...queueLines(q, spec.defaultQueue))}]]`);
  out.push('      end');

  out.push(`      subgraph sg_workers[${label(aws ? 'worker pools: ECS services on Fargate' : 'worker pools: regional managed instance groups')}]`);
  for (const p of spec.pools) out.push(`        ${mermaidId('pool', p.name)}[${label(...poolLines(p, spec.cloud))}]`);
  out.push('      end');
  for (const q of spec.queues) edges.push(`  ${mermaidId('queue', q.name)} --> ${mermaidId('pool', q.consumedBy)}`);

  // The exporter always runs: autoscaling reads the queue lengths it reports.
  out.push(`      exporter[${label('celery-exporter', aws ? 'ECS service + OpenTelemetry collector' : 'one VM + managed Prometheus collector', 'queue lengths every 30 s')}]`);
  edges.push('  sg_broker -.->|"queue lengths"| exporter');

  if (spec.periodicTasks === 'beat-singleton') {
    out.push(`      beat[${label('celery beat singleton', "the app's own beat_schedule", 'never two beat processes')}]`);
    edges.push('  beat -->|"periodic tasks"| sg_broker');
  } else if (spec.schedules.length > 0) {
    out.push(`      scheduled_call[${label(aws ? 'scheduled-call ECS task' : 'scheduled-call Cloud Run job', 'celery call, then exit')}]`);
  }
  if (spec.monitoring !== undefined && aws) pushUis(out, '      ');
  out.push('    end'); // network

  pushScaling(out, edges, spec);
  pushSchedules(out, edges, spec);
  if (spec.monitoring !== undefined) pushMonitoring(out, edges, spec, spec.monitoring);
  out.push('  end'); // stack

  return `${[...out, ...edges].join('\n')}\n`;
}

/** The diagram as a Markdown page (GitHub and GitLab draw ```mermaid blocks in place). */
export function stackDiagramMarkdown(spec: DeploymentSpec): string {
  return [
    `# ${spec.stackId}: what this stack deploys`,
    '',
    `Drawn from \`${basename(spec.sourceFile)}\` by \`stacks/stack-diagram.ts\`; every value comes from the parameter file or the kit's defaults.`,
    '',
    '```mermaid',
    stackDiagram(spec).trimEnd(),
    '```',
    '',
  ].join('\n');
}

function networkTitle(network: NetworkSpec, cloud: DeploymentSpec['cloud']): string {
  // GCP networks are regional: their zones list may be empty.
  const zones = network.zones.length > 0 ? ` in ${network.zones.join(', ')}` : '';
  switch (network.mode) {
    case 'create':
      return cloud === 'aws'
        ? `new VPC ${network.cidr}: private subnets${zones}, workers without public IPs`
        : `new VPC network ${network.cidr}: private subnetwork${zones}, workers without external IPs`;
    case 'existing-aws':
      return `existing VPC ${network.vpcId}: private subnets ${network.subnetIds.join(', ')}${zones}`;
    case 'existing-gcp':
      return `existing network ${network.network}: private subnetwork ${network.subnetwork}${zones}`;
  }
}

function brokerLines(broker: BrokerSpec, cloud: DeploymentSpec['cloud']): string[] {
  if (broker.kind === 'redis') {
    const engine = broker.engine === 'valkey' ? 'Valkey' : 'Redis';
    return [
      cloud === 'aws' ? `ElastiCache ${engine} ${broker.engineVersion}` : `Memorystore for ${engine} ${broker.engineVersion}`,
      `${broker.nodeType}, ${plural(broker.replicas, 'replica')}`,
      `visibility timeout ${broker.visibilityTimeout} s${broker.visibilityTimeoutDerived ? ' (derived from the longest time limit)' : ''}`,
    ];
  }
  const nodes = broker.nodes === 3 ? '3 nodes, quorum queues' : '1 node (nonProduction)';
  return cloud === 'aws'
    ? [`Amazon MQ RabbitMQ ${broker.engineVersion}`, broker.instanceType, nodes]
    : [`RabbitMQ ${broker.engineVersion} on Compute Engine`, `${broker.instanceType}, ${broker.diskSizeGb} GB disk per node`, nodes];
}

function queueLines(q: QueueSpec, defaultQueue: string): string[] {
  const routes = q.routes.length > 0 ? `routes ${q.routes.join(', ')}` : undefined;
  return [`queue ${q.name}`, routes ?? '', q.name === defaultQueue ? 'default: tasks no route matches' : ''];
}

function poolLines(p: WorkerPoolSpec, cloud: DeploymentSpec['cloud']): string[] {
  const size = `${p.cpu} vCPU, ${p.memory} MiB`;
  const capacity = cloud === 'aws' ? `${size} per worker${p.spot ? ', Fargate Spot' : ''}` : `${e2MachineType(p.cpu, p.memory) ?? 'no E2 type'} (${size})${p.spot ? ', Spot VMs' : ''}`;
  const a = p.autoscale;
  return [
    `pool ${p.name}`,
    `${p.pool}, concurrency ${p.concurrency}`,
    capacity,
    `workers ${a.min}..${a.max}, target ${a.backlogPerWorker} waiting per worker`,
    a.min === 0 ? 'scales from zero' : '',
    p.timeLimit !== undefined ? `time limit ${p.timeLimit} s` : '',
  ];
}

/** Queue lengths -> the cloud's autoscaler -> each pool's worker count. */
function pushScaling(out: string[], edges: string[], spec: DeploymentSpec): void {
  if (spec.cloud === 'aws') {
    out.push(`    metrics[${label('CloudWatch metrics', 'queue length per pool')}]`);
    out.push(`    autoscaling[${label('Application Auto Scaling', 'target tracking per pool')}]`);
  } else {
    out.push(`    metrics[${label('Managed Service for Prometheus', 'backlog per pool')}]`);
    out.push(`    autoscaling[${label('regional autoscaler per pool')}]`);
  }
  edges.push('  exporter --> metrics', '  metrics --> autoscaling', '  autoscaling -->|"worker count"| sg_workers');
}

function pushSchedules(out: string[], edges: string[], spec: DeploymentSpec): void {
  if (spec.periodicTasks !== 'cloud-scheduler' || spec.schedules.length === 0) return;
  out.push(`    subgraph sg_scheduler[${label(spec.cloud === 'aws' ? 'EventBridge Scheduler' : 'Cloud Scheduler')}]`);
  for (const s of spec.schedules) {
    const id = mermaidId('schedule', s.name);
    out.push(`      ${id}[${label(`schedule ${s.name}`, `cron ${s.cron} (${s.timezone})`, `task ${s.task}`)}]`);
    edges.push(`  ${id} --> scheduled_call`);
  }
  out.push('    end');
  const queues = [...new Set(spec.schedules.map((s) => s.queue))];
  for (const q of queues) edges.push(`  scheduled_call -->|"sends task"| ${mermaidId('queue', q)}`);
}

/** Flower and Grafana; on AWS they run in the private subnets, on GCP on Cloud Run. */
function pushUis(out: string[], indent: string): void {
  out.push(`${indent}flower[${label('Flower')}]`);
  out.push(`${indent}grafana[${label('Grafana')}]`);
}

function pushMonitoring(out: string[], edges: string[], spec: DeploymentSpec, m: MonitoringSpec): void {
  const aws = spec.cloud === 'aws';
  out.push(`    subgraph sg_monitoring[${label(`monitoring at ${m.domain}`)}]`);
  // On GCP the autoscaling metrics already go to Managed Service for Prometheus: one store, one node.
  const prometheus = aws ? 'prometheus' : 'metrics';
  if (aws) out.push(`      prometheus[${label('Amazon Managed Service for Prometheus (AMP)', 'workspace with the alert rules')}]`);
  out.push(`      alerting[${label(aws ? 'AMP alert manager -> SNS topic' : 'Cloud Monitoring alert policies')}]`);
  const targets = [...m.alerts.emails.map((e) => `email ${e}`), ...m.alerts.webhooks.map((w) => `webhook ${w}`)];
  out.push(`      notify[${label('notify', ...(targets.length > 0 ? targets : ['no targets']))}]`);
  out.push(
    aws
      ? `      sso[${label('ALB, HTTPS', `OIDC sign-in: ${m.oidc?.issuer ?? ''}`)}]`
      : `      sso[${label('HTTPS load balancer', 'IAP for', ...m.allowedMembers)}]`,
  );
  if (!aws) pushUis(out, '      ');
  out.push('    end');
  edges.push(
    ...(aws ? ['  exporter -->|"metrics"| prometheus'] : []),
    `  ${prometheus} -->|"alert rules"| alerting`,
    '  alerting --> notify',
    '  sso --> flower',
    '  sso --> grafana',
    `  grafana -->|"queries"| ${prometheus}`,
    '  flower -.->|"events, inspect"| sg_broker',
  );
}

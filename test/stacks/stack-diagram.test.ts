/**
 * The stack diagram shows what the spec deploys: every pool with its size and scaling bounds, an
 * arrow from each queue to its consuming pool, the broker, periodic tasks and monitoring; and it is
 * Mermaid that cannot break on the file's text.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagramDocsProblems, expectedDiagramDocs, loadExamples } from '../../scripts/diagram-docs';
import type { DeploymentSpec } from '../../spec/types';
import { stackArtifacts } from '../../stacks/stack-artifacts';
import { mermaidId, mermaidText, stackDiagram, stackDiagramMarkdown } from '../../stacks/stack-diagram';
import { editBase, specFromYaml } from '../helpers/parameter-files';

const GCP = { 3: 'cloud: gcp', 4: 'region: europe-west1', 26: 'state:\n  backend: gcs\n  bucket: acme-tf-state', 27: '', 28: '', 29: 'project: acme-celery' };
const MONITORING_AWS = [
  'monitoring:',
  '  domain: celery.example.com',
  '  certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0b8a6c52-1d9e-4f6a-9a57-3c1f0e2d4b77',
  '  sso:',
  '    oidc:',
  '      issuer: https://login.example.com',
  '      authorizationEndpoint: https://login.example.com/authorize',
  '      tokenEndpoint: https://login.example.com/token',
  '      userInfoEndpoint: https://login.example.com/userinfo',
  '      clientId: celery-ops',
  '    flowerGroups: [celery-operators]',
  '  alerts:',
  '    notify:',
  '      emails: [oncall@example.com]',
  '      webhooks: [pagerduty]',
].join('\n');
const gcpMonitoring = (member: string) =>
  ['monitoring:', '  domain: celery.example.org', '  sso:', `    allowedMembers: ['${member}']`, '  alerts:', '    notify:', '      emails: [ops@example.org]'].join('\n');

const VARIANTS: Record<string, DeploymentSpec> = {
  'aws redis, no monitoring': specFromYaml(editBase({})),
  'aws rabbitmq with monitoring': specFromYaml(editBase({ 9: '  kind: rabbitmq\n  instanceType: mq.m5.large', 29: `accountId: "123456789012"\n${MONITORING_AWS}` })),
  'aws beat singleton': specFromYaml(editBase({ 22: 'beat: singleton', 23: '', 24: '', 25: '' })),
  'gcp redis with monitoring': specFromYaml(editBase({ ...GCP, 29: `project: acme-celery\n${gcpMonitoring('group:ops@example.org')}` })),
  'gcp rabbitmq, pool scaling from zero': specFromYaml(
    editBase({ ...GCP, 9: '  kind: rabbitmq\n  instanceType: e2-standard-2', 21: '    softTimeLimit: 3000\n    autoscale: { min: 0, max: 3 }' }),
  ),
};
const EXAMPLES = Object.fromEntries(loadExamples().map((s) => [s.stackId, s]));
const ALL = { ...EXAMPLES, ...VARIANTS };

/** `from --> to` pairs of the diagram's edges (labels dropped). */
function edges(diagram: string): Array<[string, string]> {
  return [...diagram.matchAll(/^ {2}(\w+) -\.?->(?:\|"[^"]*"\|)? (\w+)$/gm)].map((m) => [m[1]!, m[2]!]);
}

describe.each(Object.entries(ALL))('the diagram of %s', (_name, spec) => {
  const diagram = stackDiagram(spec);

  it('names every pool with its Celery pool type, concurrency and scaling bounds', () => {
    for (const p of spec.pools) {
      expect(diagram).toContain(`${mermaidId('pool', p.name)}["pool ${p.name}<br/>${p.pool}, concurrency ${p.concurrency}<br/>`);
      expect(diagram).toContain(`workers ${p.autoscale.min}..${p.autoscale.max}, target ${p.autoscale.backlogPerWorker} waiting per worker`);
    }
    expect(diagram.includes('scales from zero')).toBe(spec.pools.some((p) => p.autoscale.min === 0));
  });

  it('draws one arrow from each queue to the pool that consumes it, and none to another pool', () => {
    const queueEdges = edges(diagram).filter(([from, to]) => from.startsWith('queue_') && to.startsWith('pool_'));
    expect(queueEdges).toEqual(spec.queues.map((q) => [mermaidId('queue', q.name), mermaidId('pool', q.consumedBy)]));
    for (const q of spec.queues) expect(diagram).toContain(`${mermaidId('queue', q.name)}[["queue ${q.name}`);
  });

  it('shows the broker with its engine version and size', () => {
    const b = spec.broker;
    expect(diagram).toContain(b.engineVersion);
    expect(diagram).toContain(b.kind === 'redis' ? `${b.nodeType}, ${b.replicas} replica` : b.instanceType);
    if (b.kind === 'redis') expect(diagram).toContain(`visibility timeout ${b.visibilityTimeout} s`);
  });

  it('labels the outer box with the cloud, region and stack id', () => {
    expect(diagram).toContain(`subgraph sg_stack["${spec.cloud.toUpperCase()} ${spec.region}: stack ${spec.stackId} `);
  });

  it('shows each schedule with its cron and task, sent to its queue, or the beat singleton', () => {
    for (const s of spec.schedules) {
      const id = mermaidId('schedule', s.name);
      expect(diagram).toContain(`${id}["schedule ${s.name}<br/>cron ${s.cron} (${s.timezone})<br/>task ${s.task}"]`);
      expect(edges(diagram)).toContainEqual([id, 'scheduled_call']);
      expect(edges(diagram)).toContainEqual(['scheduled_call', mermaidId('queue', s.queue)]);
    }
    expect(diagram.includes('subgraph sg_scheduler')).toBe(spec.schedules.length > 0);
    expect(diagram.includes('celery beat singleton')).toBe(spec.periodicTasks === 'beat-singleton');
    if (spec.schedules.length > 0) expect(diagram).toContain(spec.cloud === 'aws' ? 'EventBridge Scheduler' : 'Cloud Scheduler');
  });

  it('draws monitoring with Prometheus, the notify targets and SSO only when the file asks for it', () => {
    const m = spec.monitoring;
    expect(diagram.includes('subgraph sg_monitoring')).toBe(m !== undefined);
    expect(diagram.includes('"Flower"')).toBe(m !== undefined);
    if (m === undefined) return;
    for (const e of m.alerts.emails) expect(diagram).toContain(`email ${e}`);
    for (const w of m.alerts.webhooks) expect(diagram).toContain(`webhook ${w}`);
    expect(diagram).toContain(spec.cloud === 'aws' ? 'Amazon Managed Service for Prometheus (AMP)' : 'Managed Service for Prometheus');
    expect(diagram).toContain(spec.cloud === 'aws' ? `OIDC sign-in: ${m.oidc!.issuer}` : 'IAP for');
    expect(edges(diagram)).toEqual(expect.arrayContaining([['alerting', 'notify'], ['sso', 'flower'], ['sso', 'grafana']]));
  });

  it('puts the pools in the private subnets', () => {
    expect(diagram).toMatch(/subgraph sg_network\["[^"]*private subnet/);
  });

  it('uses only letters, digits and "_" in node ids, and no raw quote inside a label', () => {
    for (const [from, to] of edges(diagram)) expect(`${from}${to}`).toMatch(/^[A-Za-z0-9_]+$/);
    for (const line of diagram.trimEnd().split('\n').slice(1)) {
      // A label is one quoted string: an even number of quotes, and nothing Mermaid would misread outside them.
      expect(line.replace(/"[^"]*"/g, '')).toMatch(/^\s*(subgraph \w+\[\]|end|direction LR|\w+(\[|\[\[|\[\()(\]|\]\]|\)\])|\w+ -\.?->(\|\|)? \w+)$/);
    }
  });

  it('is the same text for the same spec', () => {
    expect(stackDiagram(spec)).toBe(diagram);
    expect(stackDiagram(specFromYaml(readFileSync(spec.sourceFile, 'utf8')))).toBe(diagram);
  });
});

describe('text from the parameter file in a diagram', () => {
  it('escapes quotes, angle brackets, "#" and ";" as Mermaid entity codes, once', () => {
    expect(mermaidText('a"b<c>d#e;f&g')).toBe('a#quot;b#lt;c#gt;d#35;e#59;f#amp;g');
    expect(mermaidText('line\nbreak')).toBe('line break');
  });

  it('keeps an awkward IAP member readable but harmless', () => {
    const spec = specFromYaml(editBase({ ...GCP, 29: `project: acme-celery\n${gcpMonitoring('group:o"p<s>#1;x@example.org')}` }));
    const diagram = stackDiagram(spec);
    expect(diagram).toContain('group:o#quot;p#lt;s#gt;#35;1#59;x@example.org');
    expect(diagram).not.toContain('o"p');
  });

  it('gives distinct, keyword-free ids to names that differ only in punctuation', () => {
    expect(mermaidId('queue', 'a-b')).not.toBe(mermaidId('queue', 'a_b'));
    expect(mermaidId('queue', 'a-b')).toMatch(/^[A-Za-z0-9_]+$/);
    expect(mermaidId('pool', 'end')).toBe('pool_end');
  });
});

describe('the diagram files', () => {
  it('are written with every synth as diagram.md and diagram.mmd, next to the existing artifacts', () => {
    const spec = EXAMPLES['acme-prod']!;
    const artifacts = stackArtifacts(spec);
    expect(Object.keys(artifacts)).toEqual(expect.arrayContaining(['alert-rules.yaml', 'grafana-dashboard.json', 'diagram.md', 'diagram.mmd']));
    expect(artifacts['diagram.mmd']).toBe(stackDiagram(spec));
    expect(artifacts['diagram.md']).toBe(stackDiagramMarkdown(spec));
    expect(artifacts['diagram.md']).toContain(`\`\`\`mermaid\n${stackDiagram(spec)}\`\`\`\n`);
  });

  it('committed under docs/diagrams match what the examples give (npm run diagram -- --check)', () => {
    expect(diagramDocsProblems(expectedDiagramDocs(loadExamples()))).toEqual([]);
  });

  it('are reported when changed, missing or left over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'celerykit-diagrams-'));
    const expected = expectedDiagramDocs(loadExamples());
    for (const [name, text] of Object.entries(expected)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'acme-prod.md'), 'edited by hand\n');
    writeFileSync(join(dir, 'gone-prod.md'), 'an old example\n');
    expect(diagramDocsProblems(expected, dir)).toEqual([`${join(dir, 'acme-prod.md')} is out of date`, `${join(dir, 'gone-prod.md')} belongs to no example`]);
    expect(diagramDocsProblems({ ...expected, 'new-prod.md': 'x' }, dir)).toContain(`${join(dir, 'new-prod.md')} is missing`);
  });
});

/**
 * The Markdown under docs/diagrams/: one page per bundled example in customers/ and an index.
 * Pure functions, so the `--check` of `npm run diagram` and the tests compare the same text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeploymentsFromDir } from '../spec/load';
import type { DeploymentSpec } from '../spec/types';
import { stackDiagramMarkdown } from '../stacks/stack-diagram';

export const DIAGRAMS_DIR = join(__dirname, '..', 'docs', 'diagrams');
export const EXAMPLES_DIR = join(__dirname, '..', 'customers');

export function loadExamples(dir = EXAMPLES_DIR): DeploymentSpec[] {
  return loadDeploymentsFromDir(dir).specs;
}

/** File name in docs/diagrams -> expected text, for every example plus README.md. */
export function expectedDiagramDocs(specs: readonly DeploymentSpec[]): Record<string, string> {
  const pages = Object.fromEntries(specs.map((s) => [`${s.stackId}.md`, stackDiagramMarkdown(s)]));
  return { 'README.md': diagramIndex(specs), ...pages };
}

/** Problems with the committed Markdown: changed, missing, or left over from a removed example. */
export function diagramDocsProblems(expected: Record<string, string>, dir = DIAGRAMS_DIR): string[] {
  const problems: string[] = [];
  for (const [name, text] of Object.entries(expected)) {
    const file = join(dir, name);
    if (!existsSync(file)) problems.push(`${file} is missing`);
    else if (readFileSync(file, 'utf8') !== text) problems.push(`${file} is out of date`);
  }
  const present = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.md')) : [];
  for (const name of present.sort()) if (!(name in expected)) problems.push(`${join(dir, name)} belongs to no example`);
  return problems;
}

function diagramIndex(specs: readonly DeploymentSpec[]): string {
  const rows = specs.map((s) => `| [${s.stackId}](${s.stackId}.md) | ${s.cloud.toUpperCase()} ${s.region} | ${s.broker.kind} | ${s.pools.length} | [SVG](${s.stackId}.svg) |`);
  return `# Stack diagrams

One picture per stack of what it deploys, drawn from its parameter file alone by
\`stacks/stack-diagram.ts\`. Every \`npm run synth\` writes the picture of each stack next to its
Terraform: \`cdktf.out/stacks/<stack>/diagram.md\` (Markdown; GitHub and GitLab draw the Mermaid
block in place) and \`diagram.mmd\` (the bare flowchart, for \`mmdc\` or other Mermaid tools).

## What the picture shows

- **Outer box**: the cloud, region, stack id and the AWS account or GCP project.
- **Network**: the VPC (new, with its range, or the existing one) and its private subnets; the
  broker, worker pools, exporter and scheduled-call task (and Flower and Grafana on AWS) run there.
- **Broker**: engine and version, node or instance type, replicas or nodes, and on Redis/Valkey the
  visibility timeout. Inside it each queue with its task routes.
- **Queue → pool**: one arrow from each queue to the one pool that consumes it.
- **Pools**: Celery pool type and concurrency; capacity per worker (Fargate vCPU and memory on AWS,
  the E2 machine type on GCP); Spot when set; scaling bounds \`workers min..max\` and the target of
  waiting tasks per worker (\`scales from zero\` when the minimum is 0); the hard time limit.
- **Scaling**: celery-exporter reports queue lengths; CloudWatch and Application Auto Scaling (AWS)
  or Managed Service for Prometheus and the regional autoscaler (GCP) set the worker counts.
- **Periodic tasks**: each schedule (EventBridge Scheduler or Cloud Scheduler) with its cron, time
  zone and task, sent through the scheduled-call task to its queue; or the celery beat singleton.
- **Monitoring** (only with \`monitoring\` in the file): exporter → Prometheus (AMP on AWS, Managed
  Service for Prometheus on GCP) → alerts → the notify targets; Flower and Grafana behind single
  sign-on (ALB with OIDC on AWS, load balancer with IAP on GCP) at \`monitoring.domain\`.

## The bundled examples

| Stack | Cloud | Broker | Pools | Drawing |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

## Regenerate

\`\`\`
npm run diagram              # rewrite these pages from customers/ and draw each to SVG
npm run diagram -- --check   # exit 1 when a page here differs from what customers/ gives
\`\`\`

The SVGs are drawn by \`@mermaid-js/mermaid-cli\` in Debian's \`chromium\`
(\`scripts/puppeteer-config.json\`; install it with \`scripts/install-test-tools.sh\`). \`--check\`
compares only the Markdown: the SVG bytes vary with the browser version.
`;
}

/**
 * A real Prometheus on loopback, loaded with sample series through `promtool tsdb
 * create-blocks-from openmetrics`, for checking that queries return data. Started and stopped by
 * the test that uses it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './parameter-files';
import { runAsync } from './run';

export interface SampleSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** [unix seconds, value] in increasing time order. */
  readonly samples: ReadonlyArray<readonly [number, number]>;
}

export interface QueryResult {
  readonly status: string;
  readonly error?: string;
  readonly data?: { resultType: string; result: unknown[] };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** OpenMetrics text: every series as an `unknown` family, its samples with timestamps. */
export function openMetrics(series: readonly SampleSeries[]): string {
  const lines: string[] = [];
  const byName = new Map<string, SampleSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, group] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of group) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)
        .join(',');
      for (const [t, v] of s.samples) lines.push(`${name}{${labels}} ${v} ${t}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export class PrometheusServer {
  private constructor(
    private readonly process: ChildProcess,
    readonly url: string,
  ) {}

  static async start(series: readonly SampleSeries[]): Promise<PrometheusServer> {
    const dir = tempDir('celerykit-prom-');
    const data = join(dir, 'data');
    mkdirSync(data);
    const input = join(dir, 'samples.om');
    writeFileSync(input, openMetrics(series));
    const blocks = await runAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { timeoutMs: 120_000 });
    if (blocks.status !== 0) throw new Error(`promtool could not build blocks: ${blocks.stdout}${blocks.stderr}`);
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
    return PrometheusServer.spawnReady(config, data);
  }

  /**
   * A live Prometheus that scrapes `target` (host:port) and evaluates `rules` (a rule file's
   * text), both every `intervalSeconds`: rules then run as they do in production, in real time.
   */
  static async startLive(props: { rules: string; target: string; intervalSeconds: number }): Promise<PrometheusServer> {
    const dir = tempDir('celerykit-prom-live-');
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, props.rules);
    const config = join(dir, 'prometheus.yml');
    const i = `${props.intervalSeconds}s`;
    writeFileSync(
      config,
      [
        'global:',
        `  scrape_interval: ${i}`,
        `  evaluation_interval: ${i}`,
        `rule_files: [${JSON.stringify(rules)}]`,
        'scrape_configs:',
        '  - job_name: celery-exporter',
        `    scrape_timeout: ${i}`,
        '    static_configs:',
        `      - targets: [${JSON.stringify(props.target)}]`,
        '',
      ].join('\n'),
    );
    const data = join(dir, 'data');
    mkdirSync(data);
    return PrometheusServer.spawnReady(config, data);
  }

  private static async spawnReady(config: string, data: string): Promise<PrometheusServer> {
    const port = await freePort();
    const process = spawn(
      'prometheus',
      [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=30d', '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    process.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const server = new PrometheusServer(process, `http://127.0.0.1:${port}`);
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`${server.url}/-/ready`)).ok) return server;
      } catch {
        // not listening yet
      }
      if (process.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    server.stop();
    throw new Error(`prometheus did not become ready: ${stderr}`);
  }

  async queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<QueryResult> {
    const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(stepSeconds) });
    return (await (await fetch(`${this.url}/api/v1/query_range?${params}`)).json()) as QueryResult;
  }

  async query(expr: string, time: number): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(time) })}`);
    return (await response.json()) as QueryResult;
  }

  stop(): void {
    this.process.kill('SIGTERM');
  }
}

/**
 * PromQL helpers shared by the kit's rules.
 */

/** A regex matcher value selecting exactly these queue names (PromQL regexes are anchored). */
export function queueNameRegex(queues: readonly string[]): string {
  return queues.map((q) => q.replace(/[.*+?^$()|[\]\\{}]/g, (c) => `\\\\${c}`)).join('|');
}

/**
 * Label matchers that select one stack's series. On AWS every stack has its own Prometheus
 * workspace; on GCP stacks of a project share Managed Service for Prometheus, and the exporter
 * labels its series with `cluster="<stack id>"`.
 */
export function stackSelector(cloud: 'aws' | 'gcp', stackId: string): string {
  return cloud === 'gcp' ? `cluster="${stackId}"` : '';
}

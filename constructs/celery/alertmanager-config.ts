/**
 * Alertmanager routing for the kit's alerts: grouped per stack and alert, pages repeated every
 * four hours while they last, tickets once a day, resolved notices sent. The receiver is supplied
 * by the cloud (an SNS topic on AWS).
 */
import { stringify } from 'yaml';

export interface AlertmanagerReceiver {
  readonly name: string;
  /** Receiver body without the name, e.g. `{ sns_configs: [...] }`. */
  readonly config: Record<string, unknown>;
}

export function alertmanagerConfig(receiver: AlertmanagerReceiver): string {
  return stringify(
    {
      route: {
        receiver: receiver.name,
        group_by: ['alertname', 'stack', 'queue_name', 'pool', 'name'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: [{ receiver: receiver.name, matchers: ['severity="ticket"'], repeat_interval: '24h' }],
      },
      // A page about a pool makes its tickets redundant until it is resolved.
      inhibit_rules: [{ source_matchers: ['severity="page"'], target_matchers: ['severity="ticket"'], equal: ['stack'] }],
      receivers: [{ name: receiver.name, ...receiver.config }],
    },
    { lineWidth: 0 },
  );
}

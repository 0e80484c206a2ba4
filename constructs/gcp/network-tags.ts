/**
 * Network tags that firewall rules select on, one per component and per stack, so two stacks in
 * one shared network never admit each other's traffic.
 */
export const GCP_COMPONENTS = ['workers', 'exporter', 'flower', 'scheduled-tasks', 'rabbitmq'] as const;
export type GcpComponent = (typeof GCP_COMPONENTS)[number];

/**
 * Components that talk to the broker: Flower only when the stack runs it, since a tag the
 * firewall admits but nothing carries is an opening for whoever may set tags in the network.
 */
export function gcpBrokerClients(withFlower: boolean): GcpComponent[] {
  return ['workers', 'exporter', ...(withFlower ? (['flower'] as const) : []), 'scheduled-tasks'];
}

export function networkTag(stackId: string, component: GcpComponent): string {
  return `${stackId}-${component}`;
}

/** Google's health-check and internal load balancer probe ranges. */
export const GOOGLE_HEALTH_CHECK_RANGES = ['35.191.0.0/16', '130.211.0.0/22'];

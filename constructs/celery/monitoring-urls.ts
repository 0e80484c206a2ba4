/**
 * Where Flower and Grafana answer behind the front door, on both clouds: one host, one path each
 * (the load balancer rules route by these prefixes).
 */
export interface MonitoringUrls {
  readonly flower: string;
  readonly grafana: string;
}

export function monitoringUrls(domain: string): MonitoringUrls {
  return { flower: `https://${domain}/flower/`, grafana: `https://${domain}/grafana/` };
}

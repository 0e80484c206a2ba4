/**
 * What Grafana needs at start on either cloud: a Prometheus data source, the dashboard provider,
 * the kit dashboard, and the settings every kit Grafana shares (served under /grafana, no login
 * form, no anonymous or basic access, viewers by default). Each cloud adds how users are identified.
 */
import { stringify } from 'yaml';
import type { DeploymentSpec } from '../../spec/types';
import { grafanaDashboard } from './dashboards';
import { stackSelector } from './promql';
import { escapeTerraformTemplates } from './terraform-text';

export interface GrafanaProvisioningProps {
  /** Prometheus API URL Grafana queries. */
  readonly prometheusUrl: string;
  /** Extra `jsonData` of the data source (e.g. SigV4 on AWS). */
  readonly prometheusJsonData?: Record<string, unknown>;
  /** Folder Grafana reads provisioning files from. */
  readonly provisioningDir: string;
}

/** Provisioning files, ready to embed in Terraform strings. */
export function grafanaProvisioningFiles(spec: DeploymentSpec, props: GrafanaProvisioningProps): { datasources: string; providers: string; dashboard: string } {
  return {
    datasources: stringify({
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus',
          uid: 'celerykit-prometheus',
          type: 'prometheus',
          access: 'proxy',
          url: props.prometheusUrl,
          isDefault: true,
          ...(props.prometheusJsonData === undefined ? {} : { jsonData: props.prometheusJsonData }),
        },
      ],
    }),
    providers: stringify({
      apiVersion: 1,
      providers: [{ name: 'celerykit', folder: 'Celery', type: 'file', disableDeletion: true, options: { path: `${props.provisioningDir}/dashboard-json` } }],
    }),
    dashboard: escapeTerraformTemplates(JSON.stringify(grafanaDashboard(spec, { selector: stackSelector(spec.cloud, spec.stackId) }))),
  };
}

/** Shell command that writes the provisioning files from $DATASOURCES, $PROVIDERS and $DASHBOARD. */
export function writeGrafanaProvisioningCommand(provisioningDir: string): string {
  const d = provisioningDir;
  return [
    `mkdir -p ${d}/datasources ${d}/dashboards ${d}/dashboard-json ${d}/plugins ${d}/alerting`,
    `printf "%s" "$DATASOURCES" > ${d}/datasources/celerykit.yaml`,
    `printf "%s" "$PROVIDERS" > ${d}/dashboards/celerykit.yaml`,
    `printf "%s" "$DASHBOARD" > ${d}/dashboard-json/celery.json`,
  ].join(' && ');
}

/** Grafana settings shared by both clouds. */
export function grafanaCommonSettings(domain: string, provisioningDir: string): Record<string, string> {
  return {
    GF_SERVER_ROOT_URL: `https://${domain}/grafana/`,
    GF_SERVER_SERVE_FROM_SUB_PATH: 'true',
    GF_PATHS_PROVISIONING: provisioningDir,
    GF_AUTH_DISABLE_LOGIN_FORM: 'true',
    GF_AUTH_BASIC_ENABLED: 'false',
    GF_AUTH_ANONYMOUS_ENABLED: 'false',
    GF_USERS_AUTO_ASSIGN_ORG_ROLE: 'Viewer',
    GF_ANALYTICS_REPORTING_ENABLED: 'false',
    GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
  };
}

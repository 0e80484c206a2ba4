/**
 * Flower and Grafana behind single sign-on on GCP: two Cloud Run services that accept traffic
 * only from the load balancer, behind one external HTTPS load balancer (Google-managed
 * certificate, TLS 1.2+ MODERN policy, HTTP only redirects) whose backends require Identity-Aware
 * Proxy, open to the file's allowed members only. Grafana verifies IAP's signed header itself and
 * reads Managed Service for Prometheus through Google's query frontend, running as a sidecar.
 */
import { monitoringUrls } from '../celery/monitoring-urls';
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { ComputeBackendService } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeManagedSslCertificate } from '@cdktf/provider-google/lib/compute-managed-ssl-certificate';
import { ComputeRegionNetworkEndpointGroup } from '@cdktf/provider-google/lib/compute-region-network-endpoint-group';
import { ComputeSslPolicy } from '@cdktf/provider-google/lib/compute-ssl-policy';
import { ComputeTargetHttpProxy } from '@cdktf/provider-google/lib/compute-target-http-proxy';
import { ComputeTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-target-https-proxy';
import { ComputeUrlMap } from '@cdktf/provider-google/lib/compute-url-map';
import { IapWebBackendServiceIamMember } from '@cdktf/provider-google/lib/iap-web-backend-service-iam-member';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec, MonitoringSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { grafanaCommonSettings, grafanaProvisioningFiles, writeGrafanaProvisioningCommand } from '../celery/grafana-provisioning';
import { IMAGES } from '../celery/images';
import { secretFileVolumes } from './cloud-run-secret-files';
import { GcpManagedSecret } from './managed-secret';
import { networkTag } from './network-tags';
import { GcpComponentServiceAccount } from './service-account';
import { fixedTerraformName } from '../celery/terraform-names';

export const IAP_JWT_HEADER = 'X-Goog-IAP-JWT-Assertion';

/**
 * IAP's service agent, the one caller the Cloud Run services admit: IAP signs its requests to
 * Cloud Run with an ID token of this account (https://cloud.google.com/iap/docs/enabling-cloud-run,
 * "Known limitations").
 */
export function iapServiceAgent(projectNumber: string): string {
  return `serviceAccount:service-${projectNumber}@gcp-sa-iap.iam.gserviceaccount.com`;
}

export interface GcpMonitoringFrontDoorProps {
  readonly spec: DeploymentSpec;
  readonly monitoring: MonitoringSpec;
  readonly networkId: string;
  readonly subnetworkId: string;
  readonly brokerUrlSecretId: string;
  /** Files Flower needs from Secret Manager (the broker CA), absolute path -> secret id. */
  readonly secretFiles: Readonly<Record<string, string>>;
}

export class GcpMonitoringFrontDoor extends Construct {
  readonly flower: CloudRunV2Service;
  readonly grafana: CloudRunV2Service;
  readonly backends: ComputeBackendService[];

  constructor(scope: Construct, id: string, props: GcpMonitoringFrontDoorProps) {
    super(scope, id);
    const { spec, monitoring } = props;
    const project = spec.project!;
    const stack = spec.stackId;

    const projectNumber = new DataGoogleProject(this, 'project', { projectId: project }).number;
    // The backends are made first (they name their services by string, not by reference), so that
    // Grafana can be told the audience of the IAP tokens meant for it.
    const backends = (['flower', 'grafana'] as const).map((name) => {
      const neg = new ComputeRegionNetworkEndpointGroup(this, `${name}-neg`, {
        name: `${stack}-${name}`,
        region: spec.region,
        networkEndpointType: 'SERVERLESS',
        cloudRun: { service: `${stack}-${name}` },
      });
      const backend = new ComputeBackendService(this, `${name}-backend`, {
        name: `${stack}-${name}`,
        loadBalancingScheme: 'EXTERNAL_MANAGED',
        protocol: 'HTTPS',
        backend: [{ group: neg.id }],
        // Every request to this backend must carry an IAP identity.
        iap: { enabled: true },
        logConfig: { enable: true, sampleRate: 1 },
      });
      // Flower can revoke tasks and shut workers down: its backend admits monitoring.sso.flowerGroups
      // (which defaults to allowedMembers), Grafana's the allowed members.
      (name === 'flower' ? monitoring.access.flower : monitoring.allowedMembers).forEach((member, i) => {
        new IapWebBackendServiceIamMember(this, `${name}-access-${i}`, {
          project,
          webBackendService: backend.name,
          role: 'roles/iap.httpsResourceAccessor',
          member,
        });
      });
      return backend;
    });
    this.backends = backends;
    const [flowerBackend, grafanaBackend] = backends as [ComputeBackendService, ComputeBackendService];

    this.flower = this.flowerService(props);
    // The aud claim of an IAP token for a backend service is /projects/NUMBER/global/backendServices/ID
    // (https://cloud.google.com/iap/docs/signed-headers-howto, "Verifying the JWT payload").
    this.grafana = this.grafanaService(props, `/projects/${projectNumber}/global/backendServices/${grafanaBackend.generatedId}`);

    // Invoker IAM stays on: internal-load-balancer ingress also admits requests from VPC networks
    // of the project (https://cloud.google.com/run/docs/securing/ingress), so without it any VM
    // there would reach Flower without signing in. Only IAP's service agent may invoke.
    for (const [name, service] of [
      ['flower', this.flower],
      ['grafana', this.grafana],
    ] as const) {
      new CloudRunV2ServiceIamMember(this, `${name}-invoker`, {
        project,
        location: spec.region,
        name: service.name,
        role: 'roles/run.invoker',
        member: iapServiceAgent(projectNumber),
      });
    }

    const address = new ComputeGlobalAddress(this, 'address', { name: `${stack}-ops` });
    const certificate = new ComputeManagedSslCertificate(this, 'certificate', { name: `${stack}-ops`, managed: { domains: [monitoring.domain] } });
    const sslPolicy = new ComputeSslPolicy(this, 'ssl-policy', { name: `${stack}-ops`, profile: 'MODERN', minTlsVersion: 'TLS_1_2' });


    const urlMap = new ComputeUrlMap(this, 'routes', {
      name: `${stack}-ops`,
      defaultUrlRedirect: { pathRedirect: '/grafana/', redirectResponseCode: 'FOUND', stripQuery: true },
      hostRule: [{ hosts: [monitoring.domain], pathMatcher: 'ops' }],
      pathMatcher: [
        {
          name: 'ops',
          defaultUrlRedirect: { pathRedirect: '/grafana/', redirectResponseCode: 'FOUND', stripQuery: true },
          pathRule: [
            { paths: ['/flower', '/flower/*'], service: flowerBackend.id },
            { paths: ['/grafana', '/grafana/*'], service: grafanaBackend.id },
          ],
        },
      ],
    });
    const httpsProxy = new ComputeTargetHttpsProxy(this, 'https-proxy', { name: `${stack}-ops`, urlMap: urlMap.id, sslCertificates: [certificate.id], sslPolicy: sslPolicy.id });
    new ComputeGlobalForwardingRule(this, 'https', {
      name: `${stack}-ops-https`,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      ipAddress: address.id,
      portRange: '443',
      target: httpsProxy.id,
    });
    const redirect = new ComputeUrlMap(this, 'http-redirect', { name: `${stack}-ops-http`, defaultUrlRedirect: { httpsRedirect: true, redirectResponseCode: 'MOVED_PERMANENTLY_DEFAULT', stripQuery: false } });
    const httpProxy = new ComputeTargetHttpProxy(this, 'http-proxy', { name: `${stack}-ops-http`, urlMap: redirect.id });
    new ComputeGlobalForwardingRule(this, 'http', { name: `${stack}-ops-http`, loadBalancingScheme: 'EXTERNAL_MANAGED', ipAddress: address.id, portRange: '80', target: httpProxy.id });

    new TerraformOutput(this, 'flower-url', { value: monitoringUrls(monitoring.domain).flower, description: 'Flower, behind IAP' }).overrideLogicalId(fixedTerraformName(this, 'flower_url'));
    new TerraformOutput(this, 'grafana-url', { value: monitoringUrls(monitoring.domain).grafana, description: 'Grafana, behind IAP' }).overrideLogicalId(fixedTerraformName(this, 'grafana_url'));
    new TerraformOutput(this, 'ip', { value: address.address, description: `Point ${monitoring.domain} (A record) at this address` }).overrideLogicalId(fixedTerraformName(this, 'monitoring_ip_address'));
  }

  private flowerService(props: GcpMonitoringFrontDoorProps): CloudRunV2Service {
    const { spec } = props;
    const account = new GcpComponentServiceAccount(this, 'flower-account', {
      project: spec.project!,
      nameParts: [spec.stackId, 'flower'],
      description: `celerykit ${spec.stackId}: Flower`,
      secretIds: [props.brokerUrlSecretId, ...Object.values(props.secretFiles)],
    });
    const mounted = secretFileVolumes(props.secretFiles);
    return new CloudRunV2Service(this, 'flower', {
      name: `${spec.stackId}-flower`,
      dependsOn: account.startPrerequisites,
      location: spec.region,
      ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
      deletionProtection: false,
      template: {
        serviceAccount: account.email,
        // Flower keeps its view in memory and listens to events all the time: one instance, always on.
        scaling: { minInstanceCount: 1, maxInstanceCount: 1 },
        vpcAccess: { networkInterfaces: [{ network: props.networkId, subnetwork: props.subnetworkId, tags: [networkTag(spec.stackId, 'flower')] }], egress: 'PRIVATE_RANGES_ONLY' },
        containers: [
          {
            name: 'flower',
            image: IMAGES.flower,
            command: ['celery'],
            args: ['flower', '--port=5555', '--url_prefix=flower', '--purge_offline_workers=600'],
            ports: { containerPort: 5555 },
            resources: { cpuIdle: false, limits: { cpu: '1', memory: '1Gi' } },
            env: [{ name: 'CELERY_BROKER_URL', valueSource: { secretKeyRef: { secret: props.brokerUrlSecretId, version: 'latest' } } }],
            volumeMounts: mounted.volumeMounts,
          },
        ],
        volumes: mounted.volumes,
      },
    });
  }

  private grafanaService(props: GcpMonitoringFrontDoorProps, iapAudience: string): CloudRunV2Service {
    const { spec, monitoring } = props;
    const project = spec.project!;
    const admin = new GcpManagedSecret(this, 'grafana-admin', { secretId: `${spec.stackId}-grafana-admin`, value: new GeneratedSecretValue(this, 'grafana-admin-value').value });
    const account = new GcpComponentServiceAccount(this, 'grafana-account', {
      project,
      nameParts: [spec.stackId, 'grafana'],
      description: `celerykit ${spec.stackId}: Grafana (reads Managed Prometheus)`,
      projectRoles: ['roles/monitoring.viewer'],
      secretIds: [admin.reference],
    });

    const files = grafanaProvisioningFiles(spec, { prometheusUrl: 'http://localhost:9090', provisioningDir: '/tmp/provisioning' });
    const env = (values: Record<string, string>) => Object.entries(values).map(([name, value]) => ({ name, value }));

    return new CloudRunV2Service(this, 'grafana', {
      name: `${spec.stackId}-grafana`,
      location: spec.region,
      ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
      deletionProtection: false,
      template: {
        serviceAccount: account.email,
        scaling: { minInstanceCount: 0, maxInstanceCount: 2 },
        containers: [
          {
            name: 'grafana',
            image: IMAGES.grafana,
            // Writes its provisioning files, then starts Grafana as the image does.
            command: ['sh', '-c'],
            args: [`${writeGrafanaProvisioningCommand('/tmp/provisioning')} && exec /run.sh`],
            ports: { containerPort: 3000 },
            dependsOn: ['prometheus-frontend'],
            env: [
              ...env({
                DATASOURCES: files.datasources,
                PROVIDERS: files.providers,
                DASHBOARD: files.dashboard,
                ...grafanaCommonSettings(monitoring.domain, '/tmp/provisioning'),
                // Users are who IAP's signed header says; Grafana checks the signature itself.
                GF_AUTH_JWT_ENABLED: 'true',
                GF_AUTH_JWT_HEADER_NAME: IAP_JWT_HEADER,
                GF_AUTH_JWT_JWK_SET_URL: 'https://www.gstatic.com/iap/verify/public_key-jwk',
                // Grafana compares iss and aud as registered claims (grafana/grafana
                // pkg/services/auth/jwt/validation.go): a token IAP signed for another backend is refused.
                GF_AUTH_JWT_EXPECT_CLAIMS: JSON.stringify({ iss: 'https://cloud.google.com/iap', aud: iapAudience }),
                GF_AUTH_JWT_EMAIL_CLAIM: 'email',
                GF_AUTH_JWT_USERNAME_CLAIM: 'email',
                GF_AUTH_JWT_AUTO_SIGN_UP: 'true',
              }),
              { name: 'GF_SECURITY_ADMIN_PASSWORD', valueSource: { secretKeyRef: { secret: admin.reference, version: 'latest' } } },
            ],
            resources: { limits: { cpu: '1', memory: '1Gi' } },
          },
          {
            name: 'prometheus-frontend',
            image: IMAGES.gmpFrontend,
            args: ['--web.listen-address=:9090', `--query.project-id=${project}`],
            startupProbe: { tcpSocket: { port: 9090 }, periodSeconds: 2, failureThreshold: 30 },
            resources: { limits: { cpu: '0.5', memory: '256Mi' } },
          },
        ],
      },
      dependsOn: [admin.secret, ...account.startPrerequisites],
    });
  }
}

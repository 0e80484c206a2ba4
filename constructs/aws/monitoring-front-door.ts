/**
 * Flower and Grafana behind single sign-on on AWS: one internet-facing load balancer that speaks
 * HTTPS only (HTTP only redirects), authenticates every request with the file's OIDC provider
 * before forwarding, and is the only thing the two services admit. The load balancer cannot filter
 * on groups, so in each task an identity gate (./alb-identity-gate.ts) verifies the load balancer's
 * signed token and the user's groups on every request, and the UI listens on 127.0.0.1 behind it:
 * Flower admits `flowerGroups` only; Grafana trusts the gate's headers (from 127.0.0.1 only) and
 * makes `grafanaAdminGroups` Admins, everyone else it admits Viewers.
 */
import { monitoringUrls } from '../celery/monitoring-urls';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import type { DeploymentSpec, MonitoringSpec } from '../../spec/types';
import { GeneratedSecretValue } from '../celery/generated-secret-value';
import { grafanaCommonSettings, grafanaProvisioningFiles, writeGrafanaProvisioningCommand } from '../celery/grafana-provisioning';
import { IMAGES } from '../celery/images';
import { awsLogs, fargateTaskDefinition, privateFargateService, type EcsStartPrerequisites } from './fargate';
import { EcsTaskRoles } from './task-roles';
import { ManagedSecret } from './managed-secret';
import { albIdentityGateContainer } from './alb-identity-gate';
import { fixedTerraformName } from '../celery/terraform-names';

export const FLOWER_PORT = 5555;
export const GRAFANA_PORT = 3000;
/** Where Flower and Grafana listen inside their tasks, on 127.0.0.1, behind the gate. */
export const FLOWER_LOCAL_PORT = 5556;
export const GRAFANA_LOCAL_PORT = 3001;
/** Health-check paths, the one request each gate lets through without a token. */
const FLOWER_HEALTH_PATH = '/flower/healthcheck';
const GRAFANA_HEALTH_PATH = '/grafana/api/health';
/** TLS 1.3 with TLS 1.2 fallback and forward-secret ciphers only. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface AwsMonitoringFrontDoorProps {
  readonly spec: DeploymentSpec;
  readonly monitoring: MonitoringSpec;
  readonly vpcId: string;
  readonly publicSubnetIds: readonly string[];
  readonly privateSubnetIds: readonly string[];
  readonly clusterArn: string;
  readonly brokerUrlSecretArn: string;
  /** What tasks need before they start (capacity providers, routes out). */
  readonly startsAfter: EcsStartPrerequisites;
  /** Flower is a broker client: its group is the one the broker admits. */
  readonly flowerSecurityGroupId: string;
  /** Management API URL for Flower's broker view (RabbitMQ only). */
  readonly brokerManagementApiUrl?: string;
  readonly prometheusWorkspace: { readonly arn: string; readonly endpoint: string };
}

/** A UI's target group and the listener rule that forwards to it. */
interface UiRoute {
  readonly targets: LbTargetGroup;
  readonly rule: LbListenerRule;
}
type UiPlacement = { readonly clusterArn: string; readonly subnetIds: readonly string[]; readonly startsAfter: EcsStartPrerequisites };

export class AwsMonitoringFrontDoor extends Construct {
  readonly loadBalancer: Lb;
  readonly flower: EcsService;
  readonly grafana: EcsService;
  /** Grafana's own group (Flower uses the broker client group it was given). */
  readonly grafanaSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: AwsMonitoringFrontDoorProps) {
    super(scope, id);
    const { spec, monitoring } = props;
    const oidc = monitoring.oidc!;
    const stack = spec.stackId;

    const albGroup = new SecurityGroup(this, 'alb-sg', { name: `${stack}-alb`, description: `celerykit ${stack}: monitoring load balancer (HTTPS from anywhere)`, vpcId: props.vpcId, tags: { Name: `${stack}-alb` } });
    const grafanaGroup = new SecurityGroup(this, 'grafana-sg', { name: `${stack}-grafana`, description: `celerykit ${stack}: Grafana, reachable only from the load balancer`, vpcId: props.vpcId, tags: { Name: `${stack}-grafana` } });
    // The only ingress from the internet in the kit: 443, and 80 which only redirects to 443.
    for (const [port, cidr] of [[443, '0.0.0.0/0'], [80, '0.0.0.0/0'], [443, '::/0'], [80, '::/0']] as const) {
      new VpcSecurityGroupIngressRule(this, `alb-in-${port}-${cidr.includes(':') ? 'v6' : 'v4'}`, {
        securityGroupId: albGroup.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
        description: port === 443 ? 'HTTPS to the SSO front door' : 'HTTP, redirected to HTTPS',
      });
    }
    for (const [name, group, port] of [['flower', props.flowerSecurityGroupId, FLOWER_PORT], ['grafana', grafanaGroup.id, GRAFANA_PORT]] as const) {
      new VpcSecurityGroupEgressRule(this, `alb-to-${name}`, { securityGroupId: albGroup.id, referencedSecurityGroupId: group, ipProtocol: 'tcp', fromPort: port, toPort: port, description: `to ${name}` });
      new VpcSecurityGroupIngressRule(this, `${name}-from-alb`, { securityGroupId: group, referencedSecurityGroupId: albGroup.id, ipProtocol: 'tcp', fromPort: port, toPort: port, description: 'from the SSO load balancer only' });
    }
    // authenticate-oidc: the load balancer itself calls the IdP's token and user-info endpoints, which
    // are public HTTPS names whose addresses the kit cannot know, so 443 to anywhere
    // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html;
    // aws-cdk's AuthenticateOidcOptions.allowHttpsOutbound opens the same). Without it, sign-in times out.
    new VpcSecurityGroupEgressRule(this, 'alb-to-idp', { securityGroupId: albGroup.id, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'to the IdP token and user-info endpoints (OIDC)' });
    // Grafana calls only HTTPS: its Docker Hub image, Managed Prometheus and CloudWatch Logs (direct,
    // or through the interface endpoints that AwsPlatform admits it to).
    new VpcSecurityGroupEgressRule(this, 'grafana-egress', { securityGroupId: grafanaGroup.id, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'HTTPS: Managed Prometheus, logs and the image pull' });
    this.grafanaSecurityGroupId = grafanaGroup.id;

    this.loadBalancer = new Lb(this, 'alb', {
      name: `${stack}-ops`.slice(0, 32),
      loadBalancerType: 'application',
      internal: false,
      subnets: [...props.publicSubnetIds],
      securityGroups: [albGroup.id],
      dropInvalidHeaderFields: true,
    });
    const targetGroup = (name: string, port: number, healthPath: string) =>
      new LbTargetGroup(this, `${name}-targets`, {
        name: `${stack}-${name}`.slice(0, 32),
        port,
        protocol: 'HTTP',
        targetType: 'ip',
        vpcId: props.vpcId,
        deregistrationDelay: '30',
        healthCheck: { path: healthPath, matcher: '200', interval: 30, healthyThreshold: 2, unhealthyThreshold: 3 },
      });
    const flowerTargets = targetGroup('flower', FLOWER_PORT, FLOWER_HEALTH_PATH);
    const grafanaTargets = targetGroup('grafana', GRAFANA_PORT, GRAFANA_HEALTH_PATH);

    new LbListener(this, 'http', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    const https = new LbListener(this, 'https', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: TLS_POLICY,
      certificateArn: monitoring.certificateArn!,
      defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not found' } }],
    });

    const clientSecret = new TerraformVariable(this, 'oidc-client-secret', {
      type: 'string',
      sensitive: true,
      description: `OIDC client secret of ${oidc.clientId} for the ${stack} monitoring front door`,
    });
    clientSecret.overrideLogicalId(fixedTerraformName(this, 'oidc_client_secret'));
    const authenticate = {
      type: 'authenticate-oidc',
      order: 1,
      authenticateOidc: {
        issuer: oidc.issuer,
        authorizationEndpoint: oidc.authorizationEndpoint,
        tokenEndpoint: oidc.tokenEndpoint,
        userInfoEndpoint: oidc.userInfoEndpoint,
        clientId: oidc.clientId,
        clientSecret: clientSecret.stringValue,
        scope: oidc.scope,
        onUnauthenticatedRequest: 'authenticate',
        sessionTimeout: 28800,
      },
    };
    // ECS refuses a service whose target group has no load balancer yet ("target group ... does not
    // have an associated load balancer", https://github.com/aws/aws-cdk/issues/1160): a target group
    // joins the load balancer through the listener rule that forwards to it, so each service waits for it.
    const [flowerRule, grafanaRule] = (
      [
        ['flower', flowerTargets, 10],
        ['grafana', grafanaTargets, 20],
      ] as const
    ).map(([name, targets, priority]) =>
      new LbListenerRule(this, `${name}-rule`, {
        listenerArn: https.arn,
        priority: priority as number,
        condition: [{ pathPattern: { values: [`/${name}`, `/${name}/*`] } }],
        action: [authenticate, { type: 'forward', order: 2, targetGroupArn: targets.arn }],
      }),
    );

    const placement = { clusterArn: props.clusterArn, subnetIds: props.privateSubnetIds, startsAfter: props.startsAfter };
    this.flower = this.flowerService(props, { targets: flowerTargets, rule: flowerRule! }, placement);
    this.grafana = this.grafanaService(props, { targets: grafanaTargets, rule: grafanaRule! }, grafanaGroup.id, placement);

    new TerraformOutput(this, 'flower-url', { value: monitoringUrls(monitoring.domain).flower, description: 'Flower, behind SSO' }).overrideLogicalId(fixedTerraformName(this, 'flower_url'));
    new TerraformOutput(this, 'grafana-url', { value: monitoringUrls(monitoring.domain).grafana, description: 'Grafana, behind SSO' }).overrideLogicalId(fixedTerraformName(this, 'grafana_url'));
    new TerraformOutput(this, 'load-balancer-dns', {
      value: this.loadBalancer.dnsName,
      description: `Point ${monitoring.domain} (CNAME or alias) at this name`,
    }).overrideLogicalId(fixedTerraformName(this, 'monitoring_load_balancer_dns'));
  }

  private flowerService(props: AwsMonitoringFrontDoorProps, route: UiRoute, placement: UiPlacement): EcsService {
    const { spec } = props;
    const logs = new CloudwatchLogGroup(this, 'flower-logs', { name: `/celerykit/${spec.stackId}/flower`, retentionInDays: 30 });
    const brokerApi =
      props.brokerManagementApiUrl === undefined
        ? undefined
        : new ManagedSecret(this, 'flower-broker-api', {
            name: `celerykit/${spec.stackId}/flower-broker-api`,
            description: `RabbitMQ management API URL for Flower (${spec.stackId})`,
            value: props.brokerManagementApiUrl,
          });
    const secretArns = [props.brokerUrlSecretArn, ...(brokerApi === undefined ? [] : [brokerApi.arn])];
    const roles = new EcsTaskRoles(this, 'flower-roles', {
      stackId: spec.stackId,
      accountId: spec.accountId,
      component: 'flower',
      purpose: 'Flower',
      logGroupArn: logs.arn,
      image: IMAGES.flower,
      injectedSecretArns: secretArns,
      taskStatements: [],
    });
    const task = fargateTaskDefinition(this, 'flower-task', {
      family: `${spec.stackId}-flower`,
      cpu: 0.5,
      memory: 1024,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      containers: [
        albIdentityGateContainer({
          port: FLOWER_PORT,
          upstreamPort: FLOWER_LOCAL_PORT,
          loadBalancerArn: this.loadBalancer.arn,
          monitoring: props.monitoring,
          region: spec.region,
          allowedGroups: props.monitoring.access.flower,
          healthPath: FLOWER_HEALTH_PATH,
          logGroupName: logs.name,
        }),
        {
          name: 'flower',
          image: IMAGES.flower,
          essential: true,
          // Flower serves under /flower on loopback only (`address`, mher/flower flower/options.py): the
          // gate in front of it is the only way in.
          command: ['celery', 'flower', '--address=127.0.0.1', `--port=${FLOWER_LOCAL_PORT}`, '--url_prefix=flower', '--purge_offline_workers=600'],
          secrets: [
            { name: 'CELERY_BROKER_URL', valueFrom: props.brokerUrlSecretArn },
            ...(brokerApi === undefined ? [] : [{ name: 'FLOWER_BROKER_API', valueFrom: brokerApi.arn }]),
          ],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'flower'),
        },
      ],
    });
    return privateFargateService(this, 'flower-service', {
      name: 'flower',
      ...placement,
      task,
      securityGroupId: props.flowerSecurityGroupId,
      desiredCount: 1,
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
      loadBalancer: [{ targetGroupArn: route.targets.arn, containerName: 'gate', containerPort: FLOWER_PORT }],
      routedBy: [route.rule],
    });
  }

  private grafanaService(
    props: AwsMonitoringFrontDoorProps,
    route: UiRoute,
    securityGroupId: string,
    placement: UiPlacement,
  ): EcsService {
    const { spec, monitoring } = props;
    const logs = new CloudwatchLogGroup(this, 'grafana-logs', { name: `/celerykit/${spec.stackId}/grafana`, retentionInDays: 30 });
    const adminPassword = new ManagedSecret(this, 'grafana-admin', {
      name: `celerykit/${spec.stackId}/grafana-admin-password`,
      description: `Grafana admin password (${spec.stackId}); day-to-day sign-in is through SSO`,
      value: new GeneratedSecretValue(this, 'grafana-admin-value').value,
    });
    const roles = new EcsTaskRoles(this, 'grafana-roles', {
      stackId: spec.stackId,
      accountId: spec.accountId,
      component: 'grafana',
      purpose: "Grafana, reading this stack's Managed Prometheus workspace",
      logGroupArn: logs.arn,
      image: IMAGES.grafana,
      injectedSecretArns: [adminPassword.arn],
      taskStatements: [
        { Sid: 'QueryOwnWorkspace', Effect: 'Allow', Action: ['aps:QueryMetrics', 'aps:GetSeries', 'aps:GetLabels', 'aps:GetMetricMetadata'], Resource: [props.prometheusWorkspace.arn] },
      ],
    });

    const files = grafanaProvisioningFiles(spec, {
      prometheusUrl: props.prometheusWorkspace.endpoint.replace(/\/$/, ''),
      prometheusJsonData: { httpMethod: 'POST', sigV4Auth: true, sigV4AuthType: 'default', sigV4Region: spec.region },
      provisioningDir: '/provisioning',
    });
    const task = fargateTaskDefinition(this, 'grafana-task', {
      family: `${spec.stackId}-grafana`,
      cpu: 0.5,
      memory: 1024,
      executionRoleArn: roles.execution.arn,
      taskRoleArn: roles.task.arn,
      scratchVolumes: ['provisioning'],
      containers: [
        {
          name: 'provision',
          image: IMAGES.busybox,
          essential: false,
          command: [
            'sh',
            '-c',
            `${writeGrafanaProvisioningCommand('/provisioning')} && chmod -R a+rX /provisioning`,
          ],
          environment: [
            { name: 'DATASOURCES', value: files.datasources },
            { name: 'PROVIDERS', value: files.providers },
            { name: 'DASHBOARD', value: files.dashboard },
          ],
          mountPoints: [{ sourceVolume: 'provisioning', containerPath: '/provisioning' }],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'provision'),
        },
        albIdentityGateContainer({
          port: GRAFANA_PORT,
          upstreamPort: GRAFANA_LOCAL_PORT,
          loadBalancerArn: this.loadBalancer.arn,
          monitoring,
          region: spec.region,
          allowedGroups: monitoring.access.grafanaViewers ?? null,
          adminGroups: monitoring.access.grafanaAdmins,
          healthPath: GRAFANA_HEALTH_PATH,
          logGroupName: logs.name,
        }),
        {
          name: 'grafana',
          image: IMAGES.grafana,
          essential: true,
          dependsOn: [{ containerName: 'provision', condition: 'SUCCESS' }],
          environment: Object.entries({
            ...grafanaCommonSettings(monitoring.domain, '/provisioning'),
            // On loopback only, behind the gate.
            GF_SERVER_HTTP_ADDR: '127.0.0.1',
            GF_SERVER_HTTP_PORT: String(GRAFANA_LOCAL_PORT),
            // Users are who the gate says they are, after it verified the load balancer's signed token:
            // login from the `sub` claim, role from the groups. Grafana takes these headers from
            // 127.0.0.1 only, the gate's address in the task (auth.proxy `whitelist` and `headers`,
            // grafana/grafana docs/sources/auth/auth-proxy.md). No local logins.
            GF_AUTH_PROXY_ENABLED: 'true',
            GF_AUTH_PROXY_HEADER_NAME: 'X-WEBAUTH-USER',
            GF_AUTH_PROXY_HEADER_PROPERTY: 'username',
            GF_AUTH_PROXY_HEADERS: 'Email:X-WEBAUTH-EMAIL Role:X-WEBAUTH-ROLE',
            GF_AUTH_PROXY_WHITELIST: '127.0.0.1',
            GF_AUTH_PROXY_AUTO_SIGN_UP: 'true',
            GF_AUTH_SIGV4_AUTH_ENABLED: 'true',
          }).map(([name, value]) => ({ name, value })),
          secrets: [{ name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: adminPassword.arn }],
          mountPoints: [{ sourceVolume: 'provisioning', containerPath: '/provisioning', readOnly: true }],
          privileged: false,
          logConfiguration: awsLogs(logs.name, spec.region, 'grafana'),
        },
      ],
    });
    return privateFargateService(this, 'grafana-service', {
      name: 'grafana',
      ...placement,
      task,
      securityGroupId,
      desiredCount: 1,
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
      loadBalancer: [{ targetGroupArn: route.targets.arn, containerName: 'gate', containerPort: GRAFANA_PORT }],
      routedBy: [route.rule],
    });
  }
}

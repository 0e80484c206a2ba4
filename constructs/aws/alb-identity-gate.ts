/**
 * The identity gate: a sidecar in the Flower and Grafana tasks that is the only thing the load
 * balancer reaches. ALB `authenticate-oidc` admits anyone the IdP signs in; its action has no
 * setting that filters on claims or groups (AuthenticateOidcActionConfig: issuer, endpoints, client,
 * scope, session cookie and timeout, extra request parameters, on-unauthenticated behaviour —
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AuthenticateOidcActionConfig.html,
 * hashicorp/terraform-provider-aws website/docs/r/lb_listener.html.markdown `authenticate_oidc`),
 * and a listener rule's conditions match host, path, header, method, query and source address only
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html).
 * So the group check happens on the request path, in the task: the gate verifies the ALB's signed
 * token on every request and refuses callers outside the configured groups, and the UI itself
 * listens on 127.0.0.1 so nothing else in the VPC reaches it. Containers of one awsvpc task share
 * one network namespace and reach each other on localhost
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html).
 */
import { IMAGES } from '../celery/images';
import type { MonitoringSpec } from '../../spec/types';
import { ALB_IDENTITY_GATE_SOURCE } from './alb-identity-gate-source';
import { awsLogs } from './fargate';

export interface AlbIdentityGateProps {
  /** Port the load balancer's target group sends to (the gate's). */
  readonly port: number;
  /** Port the UI listens on, on 127.0.0.1 only. */
  readonly upstreamPort: number;
  /** ARN of the load balancer whose tokens are accepted (the token header's `signer`). */
  readonly loadBalancerArn: string;
  readonly monitoring: MonitoringSpec;
  readonly region: string;
  /** Groups that may use the UI; `null` admits anyone the load balancer signed in. */
  readonly allowedGroups: readonly string[] | null;
  /**
   * Groups whose members the gate marks `x-webauth-role: Admin`.
   * @default [] - nobody is an administrator through SSO unless the file says so
   */
  readonly adminGroups?: readonly string[];
  /** The target group's health-check path, the one request let through without a token. */
  readonly healthPath: string;
  readonly logGroupName: string;
}

/**
 * Where ALB's token-signing public keys are published, per region. GovCloud keeps them in S3
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#user-claims-encoding).
 */
export function albPublicKeyUrl(region: string): string {
  return region.startsWith('us-gov-')
    ? `https://s3-${region}.amazonaws.com/aws-elb-public-keys-prod-${region}`
    : `https://public-keys.auth.elb.${region}.amazonaws.com`;
}

/** The gate's ECS container definition, named `gate`; the service's load balancer targets it. */
export function albIdentityGateContainer(props: AlbIdentityGateProps): Record<string, unknown> {
  const oidc = props.monitoring.oidc!;
  const env: Record<string, string> = {
    GATE_PORT: String(props.port),
    GATE_UPSTREAM_PORT: String(props.upstreamPort),
    GATE_SIGNER: props.loadBalancerArn,
    GATE_ISSUER: oidc.issuer,
    GATE_CLIENT_ID: oidc.clientId,
    GATE_KEY_URL: albPublicKeyUrl(props.region),
    GATE_GROUPS_CLAIM: props.monitoring.access.groupsClaim,
    GATE_ALLOWED_GROUPS: JSON.stringify(props.allowedGroups),
    GATE_ADMIN_GROUPS: JSON.stringify(props.adminGroups ?? []),
    GATE_HEALTH_PATH: props.healthPath,
  };
  return {
    name: 'gate',
    image: IMAGES.identityGate,
    essential: true,
    command: ['node', '-e', ALB_IDENTITY_GATE_SOURCE],
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    portMappings: [{ containerPort: props.port, protocol: 'tcp' }],
    // The official Node image's unprivileged user; the gate writes nothing.
    user: 'node',
    readonlyRootFilesystem: true,
    privileged: false,
    logConfiguration: awsLogs(props.logGroupName, props.region, 'gate'),
  };
}

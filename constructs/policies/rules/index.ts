/**
 * Every policy rule, in the order of docs/policies.md.
 */
import type { PolicyRule } from '../policy-rule';
import { brokerAdminIsolated } from './broker-admin-isolated';
import { brokerEncrypted } from './broker-encrypted';
import { brokerUsersSeparate } from './broker-users-separate';
import { brokerNeverEvicts } from './broker-never-evicts';
import { brokerNotPublic } from './broker-not-public';
import { brokerPersistent } from './broker-persistent';
import { cloudRunInvoker } from './cloud-run-invoker';
import { containersNotPrivileged } from './containers-not-privileged';
import { frontDoorAuthenticated } from './front-door-authenticated';
import { frontDoorTls } from './front-door-tls';
import { gceHardened } from './gce-hardened';
import { iamNoWildcards } from './iam-no-wildcards';
import { identitiesDedicated } from './identities-dedicated';
import { imdsv2Required } from './imdsv2-required';
import { keyPolicies } from './key-policies';
import { logRetention } from './log-retention';
import { noOpenIngress } from './no-open-ingress';
import { noPlainSecrets } from './no-plain-secrets';
import { noPublicIp } from './no-public-ip';
import { passroleScoped } from './passrole-scoped';
import { reachability } from './reachability';
import { scalingHoldsOnMissingData } from './scaling-holds-on-missing-data';
import { gcpReachability } from './gcp-reachability';
import { gcpRunTimeGrants } from './gcp-run-time-grants';
import { noServiceAccountKeys } from './no-service-account-keys';
import { requiredTags } from './required-tags';
import { statefulProtected } from './stateful-protected';
import { APPLY_ORDER_RULES } from './apply-order';
import { GCP_APPLY_ORDER_RULES } from './gcp-apply-order';
import { subnetsFit } from './subnets-fit';
import { uiIdentityGate } from './ui-identity-gate';
import { uiIngressLoadBalancerOnly } from './ui-ingress-load-balancer-only';
import { workerSoftShutdown } from './worker-soft-shutdown';

export const POLICY_RULES: readonly PolicyRule[] = [
  brokerEncrypted,
  brokerNotPublic,
  noOpenIngress,
  brokerNeverEvicts,
  statefulProtected,
  brokerPersistent,
  noPublicIp,
  imdsv2Required,
  gceHardened,
  containersNotPrivileged,
  workerSoftShutdown,
  logRetention,
  iamNoWildcards,
  passroleScoped,
  identitiesDedicated,
  noServiceAccountKeys,
  noPlainSecrets,
  frontDoorAuthenticated,
  cloudRunInvoker,
  frontDoorTls,
  uiIngressLoadBalancerOnly,
  uiIdentityGate,
  requiredTags,
  ...APPLY_ORDER_RULES,
  ...GCP_APPLY_ORDER_RULES,
  subnetsFit,
  reachability,
  gcpReachability,
  keyPolicies,
  gcpRunTimeGrants,
  brokerAdminIsolated,
  brokerUsersSeparate,
  scalingHoldsOnMissingData,
];

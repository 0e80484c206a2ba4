import { isTrue, type PolicyRule } from '../policy-rule';

/** IAP's service agent, whatever the project number (a literal or a Terraform reference). */
const IAP_SERVICE_AGENT = /^serviceAccount:service-.+@gcp-sa-iap\.iam\.gserviceaccount\.com$/;

/**
 * Internal-load-balancer ingress also admits requests from VPC networks of the same project
 * (https://cloud.google.com/run/docs/securing/ingress), so a Cloud Run service behind IAP is
 * closed to them only by invoker IAM, granted to IAP's service agent alone
 * (https://cloud.google.com/iap/docs/enabling-cloud-run).
 */
export const cloudRunInvoker: PolicyRule = {
  id: 'CK-UI-INVOKER',
  title: 'Cloud Run services behind IAP admit only IAP as their invoker',
  rationale: 'with invoker IAM off, any VM in the project network (customer task code included) reaches Flower without signing in',
  fix: 'leave invoker_iam_disabled unset and grant roles/run.invoker on the service to service-PROJECT_NUMBER@gcp-sa-iap.iam.gserviceaccount.com only',
  resourceTypes: ['google_cloud_run_v2_service', 'google_cloud_run_v2_service_iam_member', 'google_cloud_run_v2_service_iam_binding'],
  check: ({ type, config }) => {
    if (type === 'google_cloud_run_v2_service') return isTrue(config.invoker_iam_disabled) ? 'invoker IAM is disabled' : undefined;
    if (config.role !== 'roles/run.invoker') return undefined;
    const members = type === 'google_cloud_run_v2_service_iam_member' ? [config.member] : ((config.members as unknown[] | undefined) ?? []);
    const others = members.map(String).filter((m) => !IAP_SERVICE_AGENT.test(m));
    return others.length === 0 ? undefined : `grants roles/run.invoker to ${others.join(', ')}`;
  },
};

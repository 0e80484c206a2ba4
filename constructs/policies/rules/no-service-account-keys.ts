import type { PolicyRule } from '../policy-rule';

export const noServiceAccountKeys: PolicyRule = {
  id: 'CK-GCP-NO-SA-KEYS',
  title: 'no service account keys',
  rationale: 'a key file is a long-lived credential that leaks; VMs and Cloud Run get short-lived tokens',
  fix: 'attach the service account to the VM or service instead of creating a key',
  resourceTypes: ['google_service_account_key'],
  check: () => 'a service account key is created',
};

import { block, blocks, isTrue, type PolicyRule } from '../policy-rule';

export const frontDoorAuthenticated: PolicyRule = {
  id: 'CK-UI-SSO',
  title: 'every route to Flower or Grafana signs the user in first',
  rationale: 'Flower can revoke and retry tasks; Grafana shows every task name and argument',
  fix: 'put authenticate-oidc before each forward (AWS), enable IAP on each backend (GCP)',
  resourceTypes: ['aws_lb_listener_rule', 'aws_lb_listener', 'google_compute_backend_service'],
  check: ({ type, config }) => {
    if (type === 'google_compute_backend_service') return isTrue(block(config, 'iap')?.enabled) ? undefined : 'IAP is not enabled';
    const actions = blocks(config, type === 'aws_lb_listener' ? 'default_action' : 'action').sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
    const forward = actions.findIndex((a) => a.type === 'forward');
    if (forward < 0) return undefined;
    const authenticated = actions.slice(0, forward).some((a) => a.type === 'authenticate-oidc' || a.type === 'authenticate-cognito');
    return authenticated ? undefined : 'forwards without authenticating first';
  },
};

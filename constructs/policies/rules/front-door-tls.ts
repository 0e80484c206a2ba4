import { blocks, type PolicyRule } from '../policy-rule';

/** Load balancer policies that offer only TLS 1.2+ with forward-secret ciphers. */
export const MODERN_AWS_TLS_POLICIES = ['ELBSecurityPolicy-TLS13-1-2-2021-06', 'ELBSecurityPolicy-TLS13-1-3-2021-06', 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06'];

export const frontDoorTls: PolicyRule = {
  id: 'CK-UI-HTTPS',
  title: 'the front door serves HTTPS only, with a modern TLS policy',
  rationale: 'SSO session cookies and dashboards must never cross the network in clear text',
  fix: 'HTTP listeners only redirect to HTTPS; use a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-*, GCP MODERN or RESTRICTED)',
  resourceTypes: ['aws_lb_listener', 'google_compute_ssl_policy', 'google_compute_target_http_proxy'],
  check: ({ type, config }) => {
    if (type === 'google_compute_ssl_policy') {
      return ['MODERN', 'RESTRICTED'].includes(String(config.profile)) && ['TLS_1_2', 'TLS_1_3'].includes(String(config.min_tls_version)) ? undefined : 'the SSL policy allows old TLS';
    }
    if (type === 'google_compute_target_http_proxy') return undefined;
    if (config.protocol === 'HTTP') {
      const actions = blocks(config, 'default_action');
      return actions.every((a) => a.type === 'redirect' && (blocks(a, 'redirect')[0]?.protocol === 'HTTPS')) ? undefined : 'the HTTP listener does more than redirect to HTTPS';
    }
    if (config.protocol === 'HTTPS') return MODERN_AWS_TLS_POLICIES.includes(String(config.ssl_policy)) ? undefined : `TLS policy ${String(config.ssl_policy)} is not modern`;
    return undefined;
  },
};

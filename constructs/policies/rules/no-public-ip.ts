import { block, blocks, isTrue, type PolicyRule } from '../policy-rule';

export const noPublicIp: PolicyRule = {
  id: 'CK-COMPUTE-NO-PUBLIC-IP',
  title: 'workers and services get no public IP',
  rationale: 'outbound traffic goes through NAT; a public IP is an unneeded way in',
  fix: 'use private subnets, assign_public_ip = false, no access_config',
  resourceTypes: ['aws_ecs_service', 'aws_subnet', 'google_compute_instance_template', 'google_compute_instance'],
  check: ({ type, config }) => {
    if (type === 'aws_ecs_service') return isTrue(block(config, 'network_configuration')?.assign_public_ip) ? 'assign_public_ip is true' : undefined;
    if (type === 'aws_subnet') return config.map_public_ip_on_launch === true ? 'map_public_ip_on_launch is true' : undefined;
    return blocks(config, 'network_interface').some((nic) => blocks(nic, 'access_config').length > 0) ? 'a network interface has an access_config (external IP)' : undefined;
  },
};

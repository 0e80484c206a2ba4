import { block, isTrue, type PolicyRule } from '../policy-rule';

export const gceHardened: PolicyRule = {
  id: 'CK-GCE-HARDENED',
  title: 'VMs are Shielded VMs with OS Login and no project SSH keys',
  rationale: 'verified boot blocks rootkits; OS Login ties SSH to IAM instead of loose keys',
  fix: 'enable secure boot, vTPM and integrity monitoring; set enable-oslogin TRUE and block-project-ssh-keys TRUE',
  resourceTypes: ['google_compute_instance_template', 'google_compute_instance'],
  check: ({ config }) => {
    const shielded = block(config, 'shielded_instance_config');
    if (!shielded || !isTrue(shielded.enable_secure_boot) || !isTrue(shielded.enable_vtpm) || !isTrue(shielded.enable_integrity_monitoring)) return 'Shielded VM is not fully on';
    const metadata = (config.metadata ?? {}) as Record<string, string>;
    if (metadata['enable-oslogin'] !== 'TRUE') return 'OS Login is off';
    if (metadata['block-project-ssh-keys'] !== 'TRUE') return 'project-wide SSH keys are allowed';
    return undefined;
  },
};

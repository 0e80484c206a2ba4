/**
 * A service account dedicated to one component, with only the project roles it names and read
 * access to exactly the secrets it needs.
 */
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { artifactRegistryRepository } from './artifact-registry';
import { gcpSecretValues } from './managed-secret';
import { serviceAccountId } from './naming';

export interface GcpComponentServiceAccountProps {
  readonly project: string;
  /** Parts of the account id, joined with "-" and shortened to fit 30 characters. */
  readonly nameParts: string[];
  readonly description: string;
  /** Project roles, e.g. roles/logging.logWriter. Keep it short. */
  readonly projectRoles?: readonly string[];
  /** Secret ids (in the same project) this component reads. */
  readonly secretIds?: readonly string[];
  /**
   * Container image a Compute Engine VM running as this account pulls; when it lives in Artifact
   * Registry, read access to that one repository. Not for Cloud Run, which pulls as its service agent.
   */
  readonly image?: string;
}

export class GcpComponentServiceAccount extends Construct {
  readonly account: ServiceAccount;
  readonly email: string;
  readonly member: string;
  /**
   * What the component needs before it starts: the value of each kit secret it reads, its
   * grant to read it, and its grant to pull the image. Whatever runs as this account (template, Cloud Run service or job) waits for these.
   */
  readonly startPrerequisites: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: GcpComponentServiceAccountProps) {
    super(scope, id);
    this.account = new ServiceAccount(this, 'account', {
      accountId: serviceAccountId(...props.nameParts),
      displayName: props.description.slice(0, 100),
      description: props.description,
    });
    this.email = this.account.email;
    this.member = this.account.member;
    for (const role of props.projectRoles ?? []) {
      new ProjectIamMember(this, `role-${role.replace(/^roles\//, '').replace(/\./g, '-')}`, { project: props.project, role, member: this.member });
    }
    this.startPrerequisites = [...gcpSecretValues(this).valuesOf(props.secretIds ?? [])];
    (props.secretIds ?? []).forEach((secretId, index) => {
      const grant = new SecretManagerSecretIamMember(this, `reads-secret-${index}`, {
        project: props.project,
        secretId,
        role: 'roles/secretmanager.secretAccessor',
        member: this.member,
      });
      this.startPrerequisites.push(grant);
    });
    // docker-credential-gcr on the VM hands Docker this account's token from the metadata server
    // (https://cloud.google.com/container-optimized-os/docs/how-to/run-container-instance).
    const registry = props.image === undefined ? undefined : artifactRegistryRepository(props.image);
    if (registry !== undefined) {
      // The startup script retries the pull, but a VM that waits for the grant pulls on the first try.
      this.startPrerequisites.push(new ArtifactRegistryRepositoryIamMember(this, 'pulls-image', { ...registry, role: 'roles/artifactregistry.reader', member: this.member }));
    }
  }
}

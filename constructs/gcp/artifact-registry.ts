/**
 * Container images in Artifact Registry, and who pulls them. Shared by the constructs that grant
 * the pull and by CK-GCP-GRANTS, which checks it.
 */

/** The Artifact Registry Docker repository an image lives in. */
export interface ArtifactRegistryRepository {
  readonly project: string;
  readonly location: string;
  readonly repository: string;
}

/** Roles that allow pulling from a repository (artifactregistry.repositories.downloadArtifacts). */
export const ARTIFACT_READER_ROLES: readonly string[] = ['roles/artifactregistry.reader', 'roles/artifactregistry.writer', 'roles/artifactregistry.repoAdmin', 'roles/artifactregistry.admin'];

/** The repository of a `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/...` image; undefined for other registries. */
export function artifactRegistryRepository(image: string): ArtifactRegistryRepository | undefined {
  const match = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)\//.exec(image);
  return match === null ? undefined : { location: match[1]!, project: match[2]!, repository: match[3]! };
}

/**
 * Cloud Run pulls a service's or job's image as its service agent, not as the runtime account;
 * in its own project the agent may already, in another project it needs Artifact Registry Reader
 * there (https://cloud.google.com/artifact-registry/docs/integrate-cloud-run, "Permissions required to deploy").
 */
export function cloudRunServiceAgent(projectNumber: string): string {
  return `serviceAccount:service-${projectNumber}@serverless-robot-prod.iam.gserviceaccount.com`;
}

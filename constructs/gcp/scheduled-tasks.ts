/**
 * Periodic tasks on GCP: a Cloud Run job that runs `celery call` once and exits, started by one
 * Cloud Scheduler job per schedule with its own arguments (the same command builder as AWS). The
 * scheduler authenticates with a dedicated service account that may only run this job.
 */
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job';
import { CloudRunV2JobIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-job-iam-member';
import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { BROKER_URL_ENV } from '../../spec/defaults';
import type { DeploymentSpec } from '../../spec/types';
import { scheduledCallCommand } from '../celery/worker-command';
import { artifactRegistryRepository, cloudRunServiceAgent } from './artifact-registry';
import { secretFileVolumes } from './cloud-run-secret-files';
import { networkTag } from './network-tags';
import { GcpComponentServiceAccount } from './service-account';

export const SCHEDULED_CALL_CONTAINER = 'scheduled-call';

export interface GcpScheduledTasksProps {
  readonly spec: DeploymentSpec;
  readonly networkId: string;
  readonly subnetworkId: string;
  readonly brokerUrlSecretId: string;
  /** Files the container needs from Secret Manager, absolute path -> secret id. */
  readonly secretFiles: Readonly<Record<string, string>>;
  /**
   * Attempts after a failed start.
   * @default 3 — rides out a short outage without piling up late runs.
   */
  readonly retryCount?: number;
}

export class GcpScheduledTasks extends Construct {
  readonly job: CloudRunV2Job;
  readonly schedulerJobs: CloudSchedulerJob[];

  constructor(scope: Construct, id: string, props: GcpScheduledTasksProps) {
    super(scope, id);
    const { spec } = props;
    const project = spec.project!;
    const runner = new GcpComponentServiceAccount(this, 'runner', {
      project,
      nameParts: [spec.stackId, 'scheduled'],
      description: `celerykit ${spec.stackId}: scheduled calls (celery call)`,
      projectRoles: ['roles/logging.logWriter'],
      secretIds: [props.brokerUrlSecretId, ...Object.values(props.secretFiles), ...Object.values(spec.app.secrets)],
    });
    const pull = this.imagePullGrant(project, spec.app.image);

    const mounted = secretFileVolumes(props.secretFiles);
    this.job = new CloudRunV2Job(this, 'job', {
      name: `${spec.stackId}-scheduled-call`,
      dependsOn: [...runner.startPrerequisites, ...pull],
      // Stated, so that CK-GCP-GRANTS can tell an image of this project from one of another.
      project,
      location: spec.region,
      // The job holds no state; deleting it loses nothing.
      deletionProtection: false,
      template: {
        taskCount: 1,
        template: {
          serviceAccount: runner.email,
          maxRetries: 1,
          timeout: '300s',
          containers: [
            {
              name: SCHEDULED_CALL_CONTAINER,
              image: spec.app.image,
              command: ['celery'],
              // Run bare, the job only prints the version; each schedule overrides the arguments.
              args: ['--version'],
              env: [
                ...Object.entries(spec.app.env).map(([name, value]) => ({ name, value })),
                ...Object.entries({ [BROKER_URL_ENV]: props.brokerUrlSecretId, ...spec.app.secrets }).map(([name, secret]) => ({
                  name,
                  valueSource: { secretKeyRef: { secret, version: 'latest' } },
                })),
              ],
              volumeMounts: mounted.volumeMounts,
            },
          ],
          volumes: mounted.volumes,
          vpcAccess: {
            networkInterfaces: [{ network: props.networkId, subnetwork: props.subnetworkId, tags: [networkTag(spec.stackId, 'scheduled-tasks')] }],
            egress: 'ALL_TRAFFIC',
          },
        },
      },
    });

    const trigger = new GcpComponentServiceAccount(this, 'trigger', {
      project,
      nameParts: [spec.stackId, 'scheduler'],
      description: `celerykit ${spec.stackId}: Cloud Scheduler starts the scheduled-call job`,
    });
    // runWithOverrides, on this job only: each schedule passes its own task and queue.
    const mayRun = new CloudRunV2JobIamMember(this, 'trigger-runs-job', {
      project,
      location: spec.region,
      name: this.job.name,
      role: 'roles/run.jobsExecutorWithOverrides',
      member: trigger.member,
    });

    this.schedulerJobs = spec.schedules.map((schedule) => {
      const overrides = { overrides: { containerOverrides: [{ name: SCHEDULED_CALL_CONTAINER, args: scheduledCallCommand(spec.app, schedule).slice(1) }] } };
      return new CloudSchedulerJob(this, `schedule-${schedule.name}`, {
        name: `${spec.stackId}-${schedule.name}`,
        region: spec.region,
        description: `celerykit ${spec.stackId}: ${schedule.task} to ${schedule.queue}`,
        schedule: schedule.cron,
        timeZone: schedule.timezone,
        attemptDeadline: '180s',
        retryConfig: { retryCount: props.retryCount ?? 3, minBackoffDuration: '30s', maxBackoffDuration: '300s', maxDoublings: 3 },
        httpTarget: {
          uri: `https://run.googleapis.com/v2/projects/${project}/locations/${spec.region}/jobs/${spec.stackId}-scheduled-call:run`,
          httpMethod: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from(JSON.stringify(overrides)).toString('base64'),
          oauthToken: { serviceAccountEmail: trigger.email, scope: 'https://www.googleapis.com/auth/cloud-platform' },
        },
        // After the grant too: IAM changes take a while to apply, and a run started before would get 403.
        dependsOn: [this.job, mayRun],
      });
    });
  }

  /**
   * Cloud Run resolves and pulls the image as its service agent when the job is created. An image
   * in another project's Artifact Registry needs that agent granted Reader on the repository, before
   * the job exists (https://cloud.google.com/artifact-registry/docs/integrate-cloud-run).
   */
  private imagePullGrant(project: string, image: string): ITerraformDependable[] {
    const registry = artifactRegistryRepository(image);
    if (registry === undefined || registry.project === project) return [];
    const projectNumber = new DataGoogleProject(this, 'project', { projectId: project }).number;
    return [new ArtifactRegistryRepositoryIamMember(this, 'run-agent-pulls-image', { ...registry, role: 'roles/artifactregistry.reader', member: cloudRunServiceAgent(projectNumber) })];
  }
}

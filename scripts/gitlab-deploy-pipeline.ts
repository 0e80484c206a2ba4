/**
 * Writes the GitLab child pipeline that deploys the changed stacks: one job per stack, from the
 * output of `celerykit changed --json`. GitLab's parallel:matrix is fixed when the pipeline is
 * created, so ci-templates/gitlab/celerykit.gitlab-ci.yml runs this and triggers the result.
 *
 *   tsx scripts/gitlab-deploy-pipeline.ts changed.json > deploy-stacks.gitlab-ci.yml
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** One element of `celerykit changed --json`. */
export interface ChangedStack {
  readonly stack: string;
  readonly file: string;
  readonly cloud: 'aws' | 'gcp';
  readonly environment: string;
  readonly production: boolean;
}

const ON_DEFAULT_BRANCH = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH';
/** Drops the plan text, which can hold secret values, but its "Plan:" / "No changes" line. */
const PLAN_LINE_ONLY = "{ grep -E '^(Plan:|No changes)' || true; }";
const CURRENT_COMMIT_CHECK = [
  'git fetch --no-tags --depth=1 origin "$CI_DEFAULT_BRANCH"',
  'tip=$(git rev-parse FETCH_HEAD)',
  'if [ "$tip" != "$CI_COMMIT_SHA" ]; then echo "this pipeline deploys $CI_COMMIT_SHA but $CI_DEFAULT_BRANCH is at $tip; start a new pipeline from $CI_DEFAULT_BRANCH" >&2; exit 1; fi',
];
const CLEANUP = 'rm -f "$STACK_DIR/celerykit-secrets.auto.tfvars.json" "$STACK_DIR/plan.tfplan" "$STACK_DIR/plan.json"';

/** Checks the list, since stack ids end up in job names, environments and shell variables. */
export function parseChangedStacks(json: string): ChangedStack[] {
  const list: unknown = JSON.parse(json);
  if (!Array.isArray(list)) throw new Error('celerykit changed --json must print a list');
  return list.map((item: unknown, i) => {
    const s = item as Partial<ChangedStack>;
    if (typeof s.stack !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(s.stack)) throw new Error(`item ${i}: stack must be a stack id such as acme-prod`);
    if (s.cloud !== 'aws' && s.cloud !== 'gcp') throw new Error(`item ${i} (${s.stack}): cloud must be aws or gcp`);
    if (typeof s.production !== 'boolean') throw new Error(`item ${i} (${s.stack}): production must be true or false`);
    return { stack: s.stack, file: String(s.file), cloud: s.cloud, environment: String(s.environment), production: s.production };
  });
}

/** The child pipeline as a plain object (what the YAML file holds). */
export function deployPipeline(stacks: readonly ChangedStack[]): Record<string, unknown> {
  const pipeline: Record<string, unknown> = {
    stages: ['deploy'],
    default: {
      image: 'node:20-bookworm',
      before_script: ['bash ci-templates/gitlab/install-tools.sh', 'npm ci'],
    },
  };
  if (stacks.length === 0) {
    // A child pipeline needs at least one job.
    pipeline['no-stack-changed'] = { stage: 'deploy', before_script: [], script: ['echo "No stack changed: nothing to deploy."'] };
    return pipeline;
  }
  for (const s of stacks) {
    pipeline[`deploy:${s.stack}`] = {
      stage: 'deploy',
      variables: { STACK: s.stack, CLOUD: s.cloud, STACK_DIR: `cdktf.out/stacks/${s.stack}` },
      // The tier lets a group protect every production stack at once (protected environments).
      environment: { name: s.stack, deployment_tier: s.production ? 'production' : 'staging' },
      // One deploy per stack at a time, across pipelines; GitLab never cancels a running holder.
      resource_group: `celerykit-${s.stack}`,
      id_tokens: { CELERYKIT_ID_TOKEN: { aud: 'celerykit' } },
      // Production waits for a person to start it; a manual job in rules blocks the pipeline.
      rules: [{ if: ON_DEFAULT_BRANCH, when: s.production ? 'manual' : 'on_success' }],
      script: [
        // A failing terraform plan fails its pipe (its text is filtered, below).
        'set -o pipefail',
        '. ci-templates/gitlab/cloud-login.sh deploy "$STACK" "$CLOUD"',
        'npm run synth',
        'bash ci-templates/stack-tfvars.sh deploy "$STACK" "$STACK_DIR"',
        'terraform -chdir="$STACK_DIR" init',
        // The plan text prints the values of replaced or deleted resources, generated passwords
        // included: only its "Plan:" line reaches the log; the summary lists the changes.
        `terraform -chdir="$STACK_DIR" plan -input=false -no-color -out=plan.tfplan | ${PLAN_LINE_ONLY}`,
        'terraform -chdir="$STACK_DIR" show -json plan.tfplan > "$STACK_DIR/plan.json"',
        'npx --no-install celerykit summary "$STACK_DIR/plan.json"',
        'npx --no-install celerykit guard "$STACK_DIR/plan.json"',
        // Retrying an old pipeline's job would synthesize and apply its older commit: a rollback
        // nobody reviewed. Deploy only the commit the default branch is at now.
        ...CURRENT_COMMIT_CHECK,
        // The saved plan only: exactly what the guard checked. Prints progress lines with resource
        // ids and the stack outputs (no secret among them); never attribute values.
        'terraform -chdir="$STACK_DIR" apply plan.tfplan',
      ],
      // The variables file, the saved plan and its JSON hold the secret values; after_script runs
      // after a failure too, and runners may keep the build folder.
      after_script: [CLEANUP],
    };
  }
  return pipeline;
}

export function renderDeployPipeline(changedJson: string): string {
  return `# Generated by scripts/gitlab-deploy-pipeline.ts from celerykit changed --json.\n${stringify(deployPipeline(parseChangedStacks(changedJson)), { lineWidth: 0 })}`;
}

if (require.main === module) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('Usage: tsx scripts/gitlab-deploy-pipeline.ts <changed.json>');
    process.exitCode = 1;
  } else {
    process.stdout.write(renderDeployPipeline(readFileSync(file, 'utf8')));
  }
}

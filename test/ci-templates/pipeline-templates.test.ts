/**
 * The pipeline templates users copy into their repository (ci-templates/): the job graph and the
 * safety properties docs/ci.md promises. Each checker returns its problems; the mutation tests
 * show that each property it checks can fail.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployPipeline, parseChangedStacks, renderDeployPipeline, type ChangedStack } from '../../scripts/gitlab-deploy-pipeline';
import { runQuick } from '../helpers/run';

const repo = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(resolve(repo, path), 'utf8');

const GITHUB = 'ci-templates/github-actions/celerykit.yml';
const GITLAB = 'ci-templates/gitlab/celerykit.gitlab-ci.yml';
const TFVARS_SCRIPT = 'ci-templates/stack-tfvars.sh';
/** The scripts the templates run: the GitLab ones and the one both pipelines share. */
const GITLAB_SCRIPTS = ['ci-templates/gitlab/cloud-login.sh', 'ci-templates/gitlab/install-tools.sh', TFVARS_SCRIPT];

type Obj = Record<string, any>;

const CHANGED: ChangedStack[] = [
  { stack: 'acme-prod', file: 'customers/acme-prod.yaml', cloud: 'aws', environment: 'prod', production: true },
  { stack: 'umbrella-staging', file: 'customers/umbrella-staging.yaml', cloud: 'gcp', environment: 'staging', production: false },
];

/** Long-lived credentials, or the inputs that would take them. */
const LONG_LIVED_KEY = /AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|credentials_json|GOOGLE_CREDENTIALS|GOOGLE_APPLICATION_CREDENTIALS_JSON|service_account_key|"private_key"|BEGIN PRIVATE KEY/;

const clone = <T>(value: T): T => structuredClone(value);

/** Index of the first line matching `pattern`, or -1. */
const indexOf = (lines: readonly string[], pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
const lastIndexOf = (lines: readonly string[], pattern: RegExp) => {
  for (let i = lines.length - 1; i >= 0; i--) if (pattern.test(lines[i]!)) return i;
  return -1;
};

const APPLY = /\bterraform\b.*\bapply\b/;
const GUARD = /\bcelerykit guard\b.*plan\.json/;
const PLAN_OUT = /\bterraform\b.*\bplan\b.*-out=plan\.tfplan/;
const SHOW_JSON = /\bterraform\b.*\bshow -json plan\.tfplan >.*plan\.json/;
/** terraform apply of the saved plan file and nothing else (no -auto-approve fresh plan). */
const APPLY_SAVED_PLAN = /^terraform (-chdir="?\$STACK_DIR"? )?apply plan\.tfplan$/;

/** Problems with the order plan -> show -json -> guard -> apply in one job's shell lines. */
function applyOrderProblems(job: string, lines: readonly string[]): string[] {
  const problems: string[] = [];
  const apply = indexOf(lines, APPLY);
  const guard = lastIndexOf(lines.slice(0, Math.max(apply, 0)), GUARD);
  const plan = lastIndexOf(lines.slice(0, Math.max(guard, 0)), PLAN_OUT);
  const show = indexOf(lines.slice(plan + 1, Math.max(guard, 0)), SHOW_JSON);
  if (guard < 0) problems.push(`${job}: no celerykit guard before terraform apply`);
  if (plan < 0 || show < 0) problems.push(`${job}: guard does not check a plan saved with -out=plan.tfplan and shown with show -json`);
  if (lines.slice(Math.max(guard, 0), apply).some((l) => /\bterraform\b.*\bplan\b/.test(l))) problems.push(`${job}: a new plan is made after the guard`);
  if (!APPLY_SAVED_PLAN.test(lines[apply]!.trim())) problems.push(`${job}: terraform apply does not apply the saved plan.tfplan only: ${lines[apply]}`);
  if (lines.filter((l) => APPLY.test(l)).length !== 1) problems.push(`${job}: more than one terraform apply`);
  return problems;
}

// Stack secrets: the Terraform variables of a stack come from one CI secret, through a mode-600
// tfvars file that exists only while the job runs terraform.

/** terraform plan itself (not show -json plan.tfplan). */
const TF_PLAN = /^terraform (-chdir=\S+ )?plan\b/;
/** The step that writes and checks the stack's variables file, for the job's purpose. */
const TFVARS_WRITE = /^bash ci-templates\/stack-tfvars\.sh (plan|deploy) "\$\{?(STACK|stack)\}?" "\$\{?(STACK_DIR|dir)\}?"( &&)?$/;
/** Removes the variables file and the two plan files, which hold the same values. */
const REMOVES_SECRET_FILES = [/rm -f .*celerykit-secrets\.auto\.tfvars\.json/, /rm -f .*plan\.tfplan/, /rm -f .*plan\.json/];
/** A value on a terraform command line shows in process lists and traces. */
const TF_VAR_FLAG = /\bterraform\b.*\s-var(-file)?\b/;
/** Paths that may hold secret values: never an artifact. */
const SECRET_PATH = /tfvars|\.tfplan|plan\.json|cdktf\.out|\*/;

/**
 * Problems with the stack secret in one job: `lines` its shell lines in order (trimmed), `cleanup`
 * the lines that run however the job ends, `artifacts` the paths it keeps.
 */
function secretProblems(name: string, lines: readonly string[], cleanup: readonly string[] | undefined, artifacts: readonly string[]): string[] {
  const problems: string[] = [];
  for (const l of lines.filter((l) => TF_VAR_FLAG.test(l))) problems.push(`${name}: a value on the terraform command line: ${l}`);
  for (const p of artifacts.filter((p) => SECRET_PATH.test(p))) problems.push(`${name}: artifact ${p} may hold secret values`);
  const plan = indexOf(lines, TF_PLAN);
  if (plan < 0) return problems;
  const write = indexOf(lines, TFVARS_WRITE);
  if (write < 0 || write > plan) problems.push(`${name}: terraform plan without writing the stack's variables first`);
  if (cleanup === undefined || REMOVES_SECRET_FILES.some((p) => !cleanup.some((l) => p.test(l)))) problems.push(`${name}: the variables file and plan files are not always removed`);
  return problems;
}

// The plan text: Terraform prints the values of resources it replaces or deletes (a generated
// password in a terraform_data, for one), so no job lets it reach the log.

/** terraform plan, with or without -chdir (not terraform show -json plan.tfplan). */
const TF_PLAN_ANYWHERE = /\bterraform\b(\s+-chdir=\S+)?\s+plan\b/;
/** Keeps the "Plan:" / "No changes" line of the plan text; with pipefail a failing plan still fails. */
const PLAN_LINE_FILTER = "| { grep -E '^(Plan:|No changes)' || true; }";
/** stdout (not 2>) into a file or /dev/null. */
const STDOUT_TO_FILE = /(^|\s)1?>>?\s*\S+/;
const SETS_PIPEFAIL = /^set -\w*o pipefail$/;

/** Problems with the plan text in one job's shell lines; `pipefail` whether the shell has it from the start. */
function planOutputProblems(name: string, lines: readonly string[], pipefail: boolean): string[] {
  const problems: string[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#') || !TF_PLAN_ANYWHERE.test(line)) return;
    const filtered = line.includes(PLAN_LINE_FILTER);
    const rest = line.replace(PLAN_LINE_FILTER, '');
    if (!filtered && !STDOUT_TO_FILE.test(rest)) problems.push(`${name}: terraform plan prints its text to the log: ${line}`);
    if (/\|\||\|\s*grep/.test(rest)) problems.push(`${name}: a failing terraform plan may not fail the job: ${line}`);
    if (filtered && !pipefail && !lines.slice(0, i).some((l) => SETS_PIPEFAIL.test(l))) problems.push(`${name}: terraform plan is piped without set -o pipefail`);
  });
  return problems;
}

// An old run re-run (or an old pipeline's job retried) would synthesize its older commit and apply
// it: each deploy job checks, right before the apply, that the branch is still at its commit.

/** Problems with that check in one deploy job's shell lines: `fetch` the fetch line, `sha` the commit's variable. */
function currentCommitProblems(name: string, lines: readonly string[], fetch: RegExp, sha: string): string[] {
  const apply = indexOf(lines, APPLY);
  let at = lastIndexOf(lines.slice(0, Math.max(apply, 0)), GUARD);
  // Each of these after the guard and the one before (or on its line), all before the apply.
  for (const pattern of [fetch, /\$\(git rev-parse FETCH_HEAD\)/, new RegExp(`!= "\\$${sha}"`), /\bexit 1\b/]) {
    if (at < 0) break;
    const from = pattern === fetch ? at + 1 : at;
    const i = indexOf(lines.slice(from, apply), pattern);
    at = i < 0 ? -1 : from + i;
  }
  return at < 0 ? [`${name}: does not check, between the guard and the apply, that the branch is still at $${sha}`] : [];
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

/** A job's shell lines in order; `uses:` steps appear as `uses <action>`. */
function githubLines(job: Obj): string[] {
  return (job.steps as Obj[]).flatMap((s) => (s.run === undefined ? [`uses ${s.uses}`] : String(s.run).split('\n')));
}

function githubProblems(workflow: Obj): string[] {
  const problems: string[] = [];
  const jobs = workflow.jobs as Record<string, Obj>;
  if (workflow.on?.push?.branches?.join() !== 'main' || !('pull_request' in (workflow.on ?? {}))) problems.push('workflow must run on pull_request and on push to main');
  const top = workflow.permissions ?? {};
  if (Object.entries(top).some(([k, v]) => k !== 'contents' || v !== 'read')) problems.push('top-level permissions must be contents: read only');
  if (workflow.defaults?.run?.shell !== 'bash') problems.push('run steps are not bash with pipefail (defaults.run.shell: bash)');

  const runs = (name: string, pattern: RegExp) => githubLines(jobs[name]!).some((l) => pattern.test(l));
  const planJobs = Object.keys(jobs).filter((n) => runs(n, GUARD) && !runs(n, APPLY));
  const deployJobs = Object.keys(jobs).filter((n) => runs(n, APPLY));
  if (planJobs.length === 0) problems.push('no plan job (celerykit guard without apply)');
  if (deployJobs.length === 0) problems.push('no deploy job');

  for (const [name, job] of Object.entries(jobs)) {
    const lines = githubLines(job);
    for (const s of job.steps as Obj[]) {
      if (s.uses !== undefined && !/@(v\d+|[0-9a-f]{40})$/.test(s.uses)) problems.push(`${name}: ${s.uses} is not pinned to a major version or commit`);
      if (String(s.uses).startsWith('hashicorp/setup-terraform') && s.with?.terraform_wrapper !== false) problems.push(`${name}: setup-terraform without terraform_wrapper: false`);
    }
    const cloudLogin = lines.some((l) => /configure-aws-credentials|google-github-actions\/auth/.test(l));
    if (cloudLogin && job.permissions?.['id-token'] !== 'write') problems.push(`${name}: logs in to a cloud without permissions id-token: write`);
    const writes = Object.entries(job.permissions ?? {}).filter(([k, v]) => v === 'write' && k !== 'id-token');
    if (writes.length > 0) problems.push(`${name}: needless write permission ${writes.map(([k]) => k).join(', ')}`);
    for (const s of (job.steps as Obj[]).filter((s) => /configure-aws-credentials/.test(String(s.uses)))) {
      if (!s.with?.['role-to-assume']) problems.push(`${name}: configure-aws-credentials without role-to-assume`);
    }
    for (const s of (job.steps as Obj[]).filter((s) => /google-github-actions\/auth/.test(String(s.uses)))) {
      if (!s.with?.workload_identity_provider || !s.with?.service_account) problems.push(`${name}: google auth without workload_identity_provider and service_account`);
    }
    if (lines.some((l) => /celerykit changed/.test(l))) {
      if (!(job.steps as Obj[]).some((s) => String(s.uses).startsWith('actions/checkout') && s.with?.['fetch-depth'] === 0)) problems.push(`${name}: celerykit changed without fetch-depth: 0`);
      if (!lines.some((l) => /celerykit changed --base "?\$\w+"? --json/.test(l))) problems.push(`${name}: celerykit changed not called as changed --base <ref> --json`);
    }
    const bash = workflow.defaults?.run?.shell === 'bash' && (job.steps as Obj[]).every((s) => s.shell === undefined || s.shell === 'bash');
    problems.push(...planOutputProblems(name, lines.map((l) => l.trim()), bash));
    if (lines.some((l) => PLAN_OUT.test(l))) {
      if (!lines.some((l) => SHOW_JSON.test(l))) problems.push(`${name}: plan without terraform show -json`);
      if (!lines.some((l) => /celerykit summary .*plan\.json.*>> "\$GITHUB_STEP_SUMMARY"/.test(l))) problems.push(`${name}: plan summary does not go to $GITHUB_STEP_SUMMARY`);
    }
  }

  for (const name of planJobs) {
    const lines = githubLines(jobs[name]!);
    if (indexOf(lines, /terraform validate/) < 0) problems.push(`${name}: no terraform validate`);
  }

  for (const [name, job] of Object.entries(jobs)) problems.push(...githubSecretProblems(name, job, planJobs.includes(name)));

  for (const name of deployJobs) {
    const job = jobs[name]!;
    problems.push(...applyOrderProblems(name, githubLines(job)));
    problems.push(...currentCommitProblems(name, githubLines(job).map((l) => l.trim()), /^git fetch --no-tags --depth=1 origin main$/, 'GITHUB_SHA'));
    const needs = [job.needs ?? []].flat();
    for (const plan of planJobs) if (!needs.includes(plan)) problems.push(`${name}: does not need ${plan}`);
    const condition = String(job.if ?? '');
    if (!condition.includes("github.ref == 'refs/heads/main'") || !condition.includes("github.event_name == 'push'")) problems.push(`${name}: not restricted to pushes to main`);
    if (!/fromJSON\(needs\.\w+\.outputs\.\w+\)/.test(String(job.strategy?.matrix?.include))) problems.push(`${name}: matrix is not taken from an earlier job's output`);
    if (!condition.includes("!= '[]'")) problems.push(`${name}: does not skip an empty stack list`);
    if (job.strategy?.['fail-fast'] !== false) problems.push(`${name}: fail-fast would cancel running applies`);
    if (!String(job.concurrency?.group).includes('matrix.stack')) problems.push(`${name}: concurrency group is not per stack`);
    if (job.concurrency?.['cancel-in-progress'] !== false) problems.push(`${name}: concurrency may cancel a running deploy`);
    if (!String(job.environment?.name ?? job.environment).includes('matrix.stack')) problems.push(`${name}: no per-stack environment (the production approval gate)`);
    const gateCheck = (job.steps as Obj[]).findIndex((s) => s.if === 'matrix.production' && /required_reviewers/.test(String(s.run)));
    const firstLogin = (job.steps as Obj[]).findIndex((s) => /configure-aws-credentials|google-github-actions\/auth/.test(String(s.uses)));
    if (gateCheck < 0 || gateCheck > firstLogin) problems.push(`${name}: production stacks are not checked for required reviewers before logging in`);
    if (job.permissions?.actions !== 'read') problems.push(`${name}: cannot read the environment's protection rules (actions: read)`);
  }
  return problems;
}

/** The stack secret in one GitHub job: written from the stack's secret, removed by an always() step after terraform. */
function githubSecretProblems(name: string, job: Obj, planJob: boolean): string[] {
  const steps = job.steps as Obj[];
  const lines = githubLines(job).map((l) => l.trim());
  const last = (pattern: RegExp) => steps.reduce((at, s, i) => (pattern.test(String(s.run)) ? i : at), -1);
  const lastTerraform = last(/^terraform /m);
  const always = steps.filter((s, i) => s.if === 'always()' && i > lastTerraform);
  const uploads = steps.filter((s) => String(s.uses).startsWith('actions/upload-artifact')).flatMap((s) => String(s.with?.path ?? '').split('\n'));
  const problems = secretProblems(name, lines, lastTerraform < 0 ? [] : always.flatMap((s) => String(s.run).split('\n')), uploads);
  for (const s of steps.filter((s) => /stack-tfvars\.sh/.test(String(s.run)))) {
    const source = String(s.env?.STACK_TF_VARS);
    if (!source.includes("secrets[format('CELERYKIT_TF_VARS_{0}', steps.identity.outputs.suffix)]")) problems.push(`${name}: the variables do not come from the stack's secret CELERYKIT_TF_VARS_<STACK>`);
    // A plan job has no environment: an unsuffixed secret would be every stack's.
    if (planJob && /secrets\.CELERYKIT_TF_VARS\b/.test(source)) problems.push(`${name}: a plan reads the unsuffixed CELERYKIT_TF_VARS`);
  }
  return problems;
}

describe('the GitHub Actions template', () => {
  const text = read(GITHUB);
  const workflow = parse(text) as Obj;

  it('parses and passes every check', () => {
    expect(githubProblems(workflow)).toEqual([]);
  });

  it('tests, synthesizes and lists the changed stacks before any plan', () => {
    const lines = githubLines(workflow.jobs.test);
    const order = [/^npm ci$/, /^npm test$/, /^npm run synth$/, /celerykit changed/].map((p) => indexOf(lines, p));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(workflow.jobs.plan.needs).toBe('test');
  });

  it('runs terraform in the stack folder', () => {
    for (const job of [workflow.jobs.plan, workflow.jobs.deploy]) {
      const tf = (job.steps as Obj[]).filter((s) => /^terraform /m.test(String(s.run)));
      expect(tf.length).toBeGreaterThan(0);
      for (const s of tf) expect(s['working-directory']).toBe('${{ env.STACK_DIR }}');
      expect(job.env.STACK_DIR).toBe('cdktf.out/stacks/${{ matrix.stack }}');
    }
  });

  it('picks the credential step by the stack cloud', () => {
    for (const job of [workflow.jobs.plan, workflow.jobs.deploy]) {
      const steps = job.steps as Obj[];
      expect(steps.find((s) => String(s.uses).startsWith('aws-actions/configure-aws-credentials'))?.if).toBe("matrix.cloud == 'aws'");
      expect(steps.find((s) => String(s.uses).startsWith('google-github-actions/auth'))?.if).toBe("matrix.cloud == 'gcp'");
    }
  });

  it('holds no long-lived cloud key', () => {
    expect(text).not.toMatch(LONG_LIVED_KEY);
  });

  describe('the checker rejects', () => {
    const mutated = (change: (w: Obj) => void) => {
      const w = clone(workflow);
      change(w);
      return githubProblems(w);
    };
    const step = (w: Obj, job: string, pattern: RegExp) => (w.jobs[job].steps as Obj[]).findIndex((s) => pattern.test(String(s.run ?? s.uses)));

    it('a deploy that does not need the plan job', () => {
      expect(mutated((w) => (w.jobs.deploy.needs = ['test']))).toContain('deploy: does not need plan');
    });

    it('an apply without the guard before it', () => {
      expect(mutated((w) => w.jobs.deploy.steps.splice(step(w, 'deploy', GUARD), 1))).toContain('deploy: no celerykit guard before terraform apply');
    });

    it('a guard after the apply', () => {
      const problems = mutated((w) => {
        const [guard] = w.jobs.deploy.steps.splice(step(w, 'deploy', GUARD), 1);
        w.jobs.deploy.steps.push(guard);
      });
      expect(problems).toContain('deploy: no celerykit guard before terraform apply');
    });

    it('an apply that makes a fresh plan', () => {
      const problems = mutated((w) => (w.jobs.deploy.steps[step(w, 'deploy', APPLY)].run = 'terraform apply -auto-approve'));
      expect(problems).toContain('deploy: terraform apply does not apply the saved plan.tfplan only: terraform apply -auto-approve');
    });

    it('a new plan between the guard and the apply', () => {
      const problems = mutated((w) => (w.jobs.deploy.steps[step(w, 'deploy', APPLY)].run = 'terraform plan -out=plan.tfplan\nterraform apply plan.tfplan'));
      expect(problems).toContain('deploy: a new plan is made after the guard');
    });

    it('a deploy that also runs on pull requests', () => {
      expect(mutated((w) => (w.jobs.deploy.if = "needs.test.outputs.stacks != '[]'"))).toContain('deploy: not restricted to pushes to main');
    });

    it('a deploy concurrency that is shared by all stacks or cancels', () => {
      expect(mutated((w) => (w.jobs.deploy.concurrency.group = 'celerykit-deploy'))).toContain('deploy: concurrency group is not per stack');
      expect(mutated((w) => (w.jobs.deploy.concurrency['cancel-in-progress'] = true))).toContain('deploy: concurrency may cancel a running deploy');
    });

    it('a deploy without an environment gate', () => {
      expect(mutated((w) => delete w.jobs.deploy.environment)).toContain('deploy: no per-stack environment (the production approval gate)');
      expect(mutated((w) => w.jobs.deploy.steps.splice(step(w, 'deploy', /required_reviewers/), 1))).toContain('deploy: production stacks are not checked for required reviewers before logging in');
    });

    it('a cloud login without id-token permission', () => {
      expect(mutated((w) => delete w.jobs.plan.permissions['id-token'])).toContain('plan: logs in to a cloud without permissions id-token: write');
    });

    it('a summary that does not reach the job summary', () => {
      const problems = mutated((w) => (w.jobs.plan.steps[step(w, 'plan', /celerykit summary/)].run = 'npx --no-install celerykit summary "$STACK_DIR/plan.json"'));
      expect(problems).toContain('plan: plan summary does not go to $GITHUB_STEP_SUMMARY');
    });

    it('the terraform wrapper, a shallow clone and an unpinned action', () => {
      expect(mutated((w) => (w.jobs.plan.steps[step(w, 'plan', /setup-terraform/)].with.terraform_wrapper = true))).toContain('plan: setup-terraform without terraform_wrapper: false');
      expect(mutated((w) => delete w.jobs.test.steps[0].with)).toContain('test: celerykit changed without fetch-depth: 0');
      expect(mutated((w) => (w.jobs.test.steps[0].uses = 'actions/checkout@main'))).toContain('test: actions/checkout@main is not pinned to a major version or commit');
    });

    it('a plan or deploy whose step writing the stack variables is removed, or comes after the plan', () => {
      for (const job of ['plan', 'deploy']) {
        expect(mutated((w) => w.jobs[job].steps.splice(step(w, job, /stack-tfvars\.sh/), 1))).toContain(`${job}: terraform plan without writing the stack's variables first`);
        const late = mutated((w) => {
          const [write] = w.jobs[job].steps.splice(step(w, job, /stack-tfvars\.sh/), 1);
          w.jobs[job].steps.splice(step(w, job, /celerykit guard/), 0, write);
        });
        expect(late).toContain(`${job}: terraform plan without writing the stack's variables first`);
      }
    });

    it('a variables file that is not always removed after terraform', () => {
      for (const job of ['plan', 'deploy']) {
        const cleanup = (w: Obj) => step(w, job, /celerykit-secrets\.auto\.tfvars\.json/);
        expect(mutated((w) => delete w.jobs[job].steps[cleanup(w)].if)).toContain(`${job}: the variables file and plan files are not always removed`);
        expect(mutated((w) => w.jobs[job].steps.splice(cleanup(w), 1))).toContain(`${job}: the variables file and plan files are not always removed`);
        expect(mutated((w) => (w.jobs[job].steps[cleanup(w)].run = 'rm -f "$STACK_DIR/celerykit-secrets.auto.tfvars.json"'))).toContain(`${job}: the variables file and plan files are not always removed`);
      }
    });

    it('a variable on the command line, a secret file uploaded, a plan reading the unsuffixed secret', () => {
      const plan = 'terraform plan -lock=false -var oidc_client_secret=x -out=plan.tfplan';
      expect(mutated((w) => (w.jobs.plan.steps[step(w, 'plan', PLAN_OUT)].run = plan))).toContain(`plan: a value on the terraform command line: ${plan}`);
      expect(mutated((w) => w.jobs.deploy.steps.push({ uses: 'actions/upload-artifact@v4', with: { name: 'plan', path: '${{ env.STACK_DIR }}/plan.tfplan' } }))).toContain('deploy: artifact ${{ env.STACK_DIR }}/plan.tfplan may hold secret values');
      expect(mutated((w) => (w.jobs.plan.steps[step(w, 'plan', /stack-tfvars\.sh/)].env.STACK_TF_VARS += ' || secrets.CELERYKIT_TF_VARS'))).toContain('plan: a plan reads the unsuffixed CELERYKIT_TF_VARS');
      expect(mutated((w) => (w.jobs.deploy.steps[step(w, 'deploy', /stack-tfvars\.sh/)].env.STACK_TF_VARS = '${{ secrets.TF_VARS }}'))).toContain("deploy: the variables do not come from the stack's secret CELERYKIT_TF_VARS_<STACK>");
    });

    it('a terraform plan whose text reaches the log, or whose failure would pass', () => {
      const planStep = (w: Obj, job: string) => w.jobs[job].steps[step(w, job, PLAN_OUT)];
      for (const job of ['plan', 'deploy']) {
        const problems = mutated((w) => (planStep(w, job).run = planStep(w, job).run.replace(` ${PLAN_LINE_FILTER}`, '')));
        expect(problems.filter((p) => p.startsWith(`${job}: terraform plan prints its text to the log:`))).toHaveLength(1);
        const stderrOnly = mutated((w) => (planStep(w, job).run = planStep(w, job).run.replace(` ${PLAN_LINE_FILTER}`, ' 2> plan.err')));
        expect(stderrOnly.filter((p) => p.startsWith(`${job}: terraform plan prints its text to the log:`))).toHaveLength(1);
      }
      const swallowed = mutated((w) => (planStep(w, 'plan').run = planStep(w, 'plan').run.replace(PLAN_LINE_FILTER, "| grep -E '^(Plan:|No changes)' || true")));
      expect(swallowed.filter((p) => p.startsWith('plan: a failing terraform plan may not fail the job:'))).toHaveLength(1);
      expect(mutated((w) => (planStep(w, 'deploy').shell = 'sh'))).toContain('deploy: terraform plan is piped without set -o pipefail');
      expect(mutated((w) => delete w.defaults)).toContain('plan: terraform plan is piped without set -o pipefail');
    });

    it('a deploy that does not check that main is still at its commit before the apply', () => {
      const problem = 'deploy: does not check, between the guard and the apply, that the branch is still at $GITHUB_SHA';
      const check = (w: Obj) => step(w, 'deploy', /FETCH_HEAD/);
      expect(mutated((w) => w.jobs.deploy.steps.splice(check(w), 1))).toContain(problem);
      expect(mutated((w) => w.jobs.deploy.steps.push(...w.jobs.deploy.steps.splice(check(w), 1)))).toContain(problem);
      expect(mutated((w) => w.jobs.deploy.steps.splice(step(w, 'deploy', GUARD) - 1, 0, ...w.jobs.deploy.steps.splice(check(w), 1)))).toContain(problem);
      expect(mutated((w) => (w.jobs.deploy.steps[check(w)].run = w.jobs.deploy.steps[check(w)].run.replace('"$GITHUB_SHA"', '"$GITHUB_BASE_REF"')))).toContain(problem);
      expect(mutated((w) => (w.jobs.deploy.steps[check(w)].run = w.jobs.deploy.steps[check(w)].run.replace('exit 1', 'true')))).toContain(problem);
    });

    it('a stored key', () => {
      expect(text.replace('TF_INPUT: "0"', 'TF_INPUT: "0"\n  AWS_SECRET_ACCESS_KEY: ${{ secrets.KEY }}')).toMatch(LONG_LIVED_KEY);
      expect('credentials_json: ${{ secrets.GCP_KEY }}').toMatch(LONG_LIVED_KEY);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// GitLab CI

const GITLAB_RESERVED = new Set(['workflow', 'stages', 'variables', 'default', 'include', 'image', 'cache', 'before_script', 'after_script', 'services']);
const ON_DEFAULT_BRANCH = /^\$CI_COMMIT_BRANCH == (\$CI_DEFAULT_BRANCH|"main")$/;

const gitlabJobs = (pipeline: Obj): [string, Obj][] => Object.entries(pipeline).filter(([k]) => !GITLAB_RESERVED.has(k) && !k.startsWith('.'));
const gitlabLines = (job: Obj): string[] => ((job.script ?? []) as string[]).flatMap((l) => l.split('\n')).map((l) => l.trim());
/** after_script runs however the script ends (failure, timeout); undefined without one. */
const gitlabAfterScript = (job: Obj): string[] | undefined => (job.after_script === undefined ? undefined : (job.after_script as string[]).flatMap((l) => l.split('\n')).map((l) => l.trim()));
const onlyOnDefaultBranch = (job: Obj) => Array.isArray(job.rules) && job.rules.length > 0 && job.rules.every((r: Obj) => ON_DEFAULT_BRANCH.test(String(r.if)));

/** Checks of a job that runs terraform apply, in the parent or a generated child pipeline. */
function gitlabDeployJobProblems(name: string, job: Obj, stack: ChangedStack | undefined): string[] {
  const problems = applyOrderProblems(name, gitlabLines(job));
  problems.push(...currentCommitProblems(name, gitlabLines(job), /^git fetch --no-tags --depth=1 origin "\$CI_DEFAULT_BRANCH"$/, 'CI_COMMIT_SHA'));
  if (!onlyOnDefaultBranch(job)) problems.push(`${name}: not restricted to the default branch`);
  if (!job.id_tokens?.CELERYKIT_ID_TOKEN?.aud) problems.push(`${name}: no id_tokens with aud`);
  if (job.interruptible === true) problems.push(`${name}: a newer pipeline may cancel a running deploy (interruptible)`);
  if (stack !== undefined) {
    if (job.resource_group !== `celerykit-${stack.stack}`) problems.push(`${name}: resource_group is not celerykit-<stack>`);
    if (job.environment?.name !== stack.stack) problems.push(`${name}: environment is not the stack`);
    if (stack.production && (job.environment?.deployment_tier !== 'production' || !job.rules?.every((r: Obj) => r.when === 'manual'))) problems.push(`${name}: production deploy without a manual gate on a production environment`);
    if (job.variables?.STACK !== stack.stack || job.variables?.CLOUD !== stack.cloud) problems.push(`${name}: STACK/CLOUD variables do not match the stack`);
  } else if (!/\$\{?STACK\}?/.test(String(job.resource_group))) {
    problems.push(`${name}: resource_group is not per stack`);
  }
  if (!gitlabLines(job).some((l) => /cloud-login\.sh deploy "\$STACK" "\$CLOUD"/.test(l))) problems.push(`${name}: does not log in with the stack's deploy identity`);
  if (!gitlabLines(job).some((l) => /stack-tfvars\.sh deploy /.test(l))) problems.push(`${name}: does not write the stack's deploy variables`);
  return problems;
}

/** The parent pipeline plus the child pipeline the generator writes for `changed`. */
function gitlabProblems(parent: Obj, child: Obj, changed: readonly ChangedStack[]): string[] {
  const problems: string[] = [];
  if (String(parent.variables?.GIT_DEPTH) !== '0') problems.push('GIT_DEPTH is not 0');
  const sources = ((parent.workflow?.rules ?? []) as Obj[]).map((r) => String(r.if));
  if (!sources.some((s) => s.includes('merge_request_event')) || !sources.some((s) => s.includes('$CI_DEFAULT_BRANCH'))) problems.push('workflow does not run on merge requests and the default branch');
  const jobs = new Map(gitlabJobs(parent));
  for (const [pipeline, prefix] of [[parent, ''], [child, 'child ']] as const) {
    for (const [name, job] of gitlabJobs(pipeline)) {
      problems.push(...secretProblems(`${prefix}${name}`, gitlabLines(job), gitlabAfterScript(job), job.artifacts?.paths ?? []));
      problems.push(...planOutputProblems(`${prefix}${name}`, gitlabLines(job), false));
    }
  }

  const planJobs = [...jobs].filter(([, j]) => gitlabLines(j).some((l) => GUARD.test(l)) && !gitlabLines(j).some((l) => APPLY.test(l))).map(([n]) => n);
  if (planJobs.length === 0) problems.push('no plan job (celerykit guard without apply)');
  for (const name of planJobs) {
    const job = jobs.get(name)!;
    const lines = gitlabLines(job);
    for (const p of [/terraform\b.*\binit\b/, /terraform\b.*\bvalidate\b/, PLAN_OUT, SHOW_JSON, /celerykit summary .*plan\.json.*>> plan-summary\.md/]) {
      if (indexOf(lines, p) < 0) problems.push(`${name}: missing ${p.source}`);
    }
    if (indexOf(lines, /celerykit summary/) > indexOf(lines, GUARD)) problems.push(`${name}: summary after the guard (a blocked plan would show no summary)`);
    if (!job.artifacts?.paths?.includes('plan-summary.md') || !job.artifacts?.expose_as || job.artifacts?.when !== 'always') problems.push(`${name}: summary is not exposed on the merge request`);
    if (!job.id_tokens?.CELERYKIT_ID_TOKEN?.aud) problems.push(`${name}: no id_tokens with aud`);
  }

  for (const [name, job] of jobs) if (gitlabLines(job).some((l) => APPLY.test(l))) problems.push(...gitlabDeployJobProblems(name, job, undefined));

  const triggers = [...jobs].filter(([, j]) => j.trigger !== undefined);
  if (triggers.length === 0) problems.push('no child pipeline trigger for the deploys');
  for (const [name, job] of triggers) {
    const include = [job.trigger.include].flat()[0] as Obj | undefined;
    const generator = jobs.get(String(include?.job));
    if (include?.artifact === undefined || generator === undefined) {
      problems.push(`${name}: does not include an artifact of a job in this pipeline`);
      continue;
    }
    if (!generator.artifacts?.paths?.includes(include.artifact)) problems.push(`${name}: ${include.job} does not keep ${include.artifact}`);
    if (!gitlabLines(generator).some((l) => l.includes('scripts/gitlab-deploy-pipeline.ts') && l.includes(`> ${include.artifact}`))) problems.push(`${name}: ${include.job} does not write ${include.artifact} with the generator`);
    if (job.trigger.strategy !== 'depend') problems.push(`${name}: the parent pipeline would not wait for the deploys`);
    for (const plan of planJobs) if (!(job.needs ?? []).includes(plan)) problems.push(`${name}: does not need ${plan}`);
    for (const [n, j] of [[name, job], [include.job, generator]] as const) if (!onlyOnDefaultBranch(j)) problems.push(`${n}: not restricted to the default branch`);
  }

  const applyJobs = gitlabJobs(child).filter(([, j]) => gitlabLines(j).some((l) => APPLY.test(l)));
  for (const s of changed) {
    const mine = applyJobs.filter(([, j]) => j.variables?.STACK === s.stack);
    if (mine.length !== 1) problems.push(`child: ${mine.length} deploy jobs for ${s.stack}`);
    for (const [name, job] of mine) problems.push(...gitlabDeployJobProblems(`child ${name}`, job, s));
  }
  if (applyJobs.length !== changed.length) problems.push(`child: ${applyJobs.length} deploy jobs for ${changed.length} changed stacks`);
  return problems;
}

describe('the GitLab CI template', () => {
  const text = read(GITLAB);
  const parent = parse(text) as Obj;
  const child = parse(renderDeployPipeline(JSON.stringify(CHANGED))) as Obj;

  it('parses and passes every check, with the child pipeline the generator writes', () => {
    expect(gitlabProblems(parent, child, CHANGED)).toEqual([]);
  });

  it('tests, synthesizes and lists the changed stacks, then plans them', () => {
    const lines = gitlabLines(parent.test);
    const order = [/^npm test$/, /^npm run synth$/, /celerykit changed --base "\$base" --json > changed\.json/].map((p) => indexOf(lines, p));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(parent.default.before_script).toContain('npm ci --cache .npm --prefer-offline');
    expect(parent.test.artifacts.paths).toContain('changed.json');
    expect(parent.plan.needs).toEqual(['test']);
    expect(parent.stages).toEqual(['test', 'plan', 'deploy']);
  });

  it('writes a runnable job when no stack changed', () => {
    const empty = parse(renderDeployPipeline('[]')) as Obj;
    const jobs = gitlabJobs(empty);
    expect(jobs).toHaveLength(1);
    expect(jobs.flatMap(([, j]) => gitlabLines(j)).some((l) => APPLY.test(l))).toBe(false);
    expect(gitlabProblems(parent, empty, [])).toEqual([]);
  });

  it('deploys non-production stacks without waiting for a person', () => {
    expect(child['deploy:umbrella-staging'].rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'on_success' }]);
    expect(child['deploy:acme-prod'].rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
  });

  it('refuses a changed list it cannot trust', () => {
    expect(() => parseChangedStacks('{"stack":"acme-prod"}')).toThrow('must print a list');
    expect(() => parseChangedStacks('[{"stack":"acme-prod; rm -rf /","cloud":"aws","production":true}]')).toThrow('item 0: stack must be a stack id');
    expect(() => parseChangedStacks('[{"stack":"acme-prod","cloud":"azure","production":true}]')).toThrow('cloud must be aws or gcp');
    expect(() => parseChangedStacks('[{"stack":"acme-prod","cloud":"aws"}]')).toThrow('production must be true or false');
  });

  it('holds no long-lived cloud key, in the templates or the scripts they run', () => {
    for (const t of [text, renderDeployPipeline(JSON.stringify(CHANGED)), ...GITLAB_SCRIPTS.map(read)]) expect(t).not.toMatch(LONG_LIVED_KEY);
  });

  describe('the checker rejects', () => {
    const mutatedParent = (change: (p: Obj) => void) => {
      const p = clone(parent);
      change(p);
      return gitlabProblems(p, child, CHANGED);
    };
    const mutatedChild = (change: (c: Obj) => void) => {
      const c = clone(child);
      change(c);
      return gitlabProblems(parent, c, CHANGED);
    };

    it('a deploy trigger that does not need the plan job', () => {
      expect(mutatedParent((p) => (p.deploy.needs = ['deploy-pipeline']))).toContain('deploy: does not need plan');
    });

    it('a deploy trigger that also runs on merge requests', () => {
      expect(mutatedParent((p) => delete p.deploy.rules)).toContain('deploy: not restricted to the default branch');
    });

    it('a child deploy without the guard before the apply', () => {
      const problems = mutatedChild((c) => {
        const script = c['deploy:acme-prod'].script as string[];
        script.push(...script.splice(script.findIndex((l) => GUARD.test(l)), 1));
      });
      expect(problems).toContain('child deploy:acme-prod: no celerykit guard before terraform apply');
    });

    it('a child deploy that applies a fresh plan', () => {
      const problems = mutatedChild((c) => {
        const script = c['deploy:acme-prod'].script as string[];
        script[script.findIndex((l) => APPLY.test(l))] = 'terraform -chdir="$STACK_DIR" apply -auto-approve';
      });
      expect(problems).toContain('child deploy:acme-prod: terraform apply does not apply the saved plan.tfplan only: terraform -chdir="$STACK_DIR" apply -auto-approve');
    });

    it('a child deploy shared by all stacks, ungated or without an id token', () => {
      expect(mutatedChild((c) => (c['deploy:acme-prod'].resource_group = 'celerykit'))).toContain('child deploy:acme-prod: resource_group is not celerykit-<stack>');
      expect(mutatedChild((c) => (c['deploy:acme-prod'].rules[0].when = 'on_success'))).toContain('child deploy:acme-prod: production deploy without a manual gate on a production environment');
      expect(mutatedChild((c) => delete c['deploy:acme-prod'].id_tokens)).toContain('child deploy:acme-prod: no id_tokens with aud');
      expect(mutatedChild((c) => (c['deploy:acme-prod'].interruptible = true))).toContain('child deploy:acme-prod: a newer pipeline may cancel a running deploy (interruptible)');
      expect(mutatedChild((c) => delete c['deploy:umbrella-staging'])).toContain('child: 0 deploy jobs for umbrella-staging');
    });

    it('a plan or child deploy whose step writing the stack variables is removed', () => {
      const noWrite = (script: string) => script.split('\n').filter((l) => !/stack-tfvars\.sh/.test(l)).join('\n');
      expect(mutatedParent((p) => (p.plan.script = (p.plan.script as string[]).map(noWrite)))).toContain("plan: terraform plan without writing the stack's variables first");
      const problems = mutatedChild((c) => (c['deploy:acme-prod'].script = (c['deploy:acme-prod'].script as string[]).filter((l) => !/stack-tfvars\.sh/.test(l))));
      expect(problems).toContain("child deploy:acme-prod: terraform plan without writing the stack's variables first");
      expect(problems).toContain("child deploy:acme-prod: does not write the stack's deploy variables");
    });

    it('a variables file or plan file left behind after a failure, or kept as an artifact', () => {
      expect(mutatedParent((p) => delete p.plan.after_script)).toContain('plan: the variables file and plan files are not always removed');
      expect(mutatedChild((c) => delete c['deploy:acme-prod'].after_script)).toContain('child deploy:acme-prod: the variables file and plan files are not always removed');
      expect(mutatedChild((c) => (c['deploy:acme-prod'].after_script = ['rm -f "$STACK_DIR/plan.json"']))).toContain('child deploy:acme-prod: the variables file and plan files are not always removed');
      expect(mutatedParent((p) => p.plan.artifacts.paths.push('cdktf.out/stacks/*/plan.tfplan'))).toContain('plan: artifact cdktf.out/stacks/*/plan.tfplan may hold secret values');
      expect(mutatedChild((c) => (c['deploy:acme-prod'].artifacts = { paths: ['$STACK_DIR/celerykit-secrets.auto.tfvars.json'] }))).toContain('child deploy:acme-prod: artifact $STACK_DIR/celerykit-secrets.auto.tfvars.json may hold secret values');
    });

    it('a variable on the terraform command line', () => {
      const apply = 'terraform -chdir="$STACK_DIR" plan -var-file=secrets.tfvars -out=plan.tfplan';
      const problems = mutatedChild((c) => {
        const script = c['deploy:acme-prod'].script as string[];
        script[script.findIndex((l) => PLAN_OUT.test(l))] = apply;
      });
      expect(problems).toContain(`child deploy:acme-prod: a value on the terraform command line: ${apply}`);
    });

    it('a terraform plan whose text reaches the log, or that is piped without pipefail', () => {
      const unfiltered = (l: string) => l.replace(` ${PLAN_LINE_FILTER}`, '');
      const parentProblems = mutatedParent((p) => (p.plan.script = (p.plan.script as string[]).map(unfiltered)));
      expect(parentProblems.filter((p) => p.startsWith('plan: terraform plan prints its text to the log:'))).toHaveLength(1);
      const childProblems = mutatedChild((c) => (c['deploy:acme-prod'].script = (c['deploy:acme-prod'].script as string[]).map(unfiltered)));
      expect(childProblems.filter((p) => p.startsWith('child deploy:acme-prod: terraform plan prints its text to the log:'))).toHaveLength(1);
      const noPipefail = (l: string) => l.split('\n').filter((x) => !SETS_PIPEFAIL.test(x.trim())).join('\n');
      expect(mutatedParent((p) => (p.plan.script = (p.plan.script as string[]).map(noPipefail)))).toContain('plan: terraform plan is piped without set -o pipefail');
      expect(mutatedChild((c) => (c['deploy:acme-prod'].script = (c['deploy:acme-prod'].script as string[]).filter((l) => !SETS_PIPEFAIL.test(l))))).toContain('child deploy:acme-prod: terraform plan is piped without set -o pipefail');
    });

    it('a child deploy that does not check that the default branch is still at its commit before the apply', () => {
      const problem = 'child deploy:acme-prod: does not check, between the guard and the apply, that the branch is still at $CI_COMMIT_SHA';
      const isCheck = (l: string) => /git fetch|FETCH_HEAD|CI_COMMIT_SHA/.test(l);
      expect(mutatedChild((c) => (c['deploy:acme-prod'].script = (c['deploy:acme-prod'].script as string[]).filter((l) => !isCheck(l))))).toContain(problem);
      const afterApply = mutatedChild((c) => {
        const script = c['deploy:acme-prod'].script as string[];
        c['deploy:acme-prod'].script = [...script.filter((l) => !isCheck(l)), ...script.filter(isCheck)];
      });
      expect(afterApply).toContain(problem);
      const noExit = mutatedChild((c) => (c['deploy:acme-prod'].script = (c['deploy:acme-prod'].script as string[]).map((l) => l.replace('exit 1', 'true'))));
      expect(noExit).toContain(problem);
    });

    it('a plan summary that does not reach the merge request, and a shallow clone', () => {
      expect(mutatedParent((p) => delete p.plan.artifacts.expose_as)).toContain('plan: summary is not exposed on the merge request');
      expect(mutatedParent((p) => (p.variables.GIT_DEPTH = '20'))).toContain('GIT_DEPTH is not 0');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The GitLab credential script and the docs

/** Sources cloud-login.sh in bash with `env` and prints the variables terraform would read. */
function login(args: string[], env: Record<string, string>) {
  const show = 'echo "AWS_ROLE_ARN=${AWS_ROLE_ARN:-}"; echo "TOKEN=$(cat "${AWS_WEB_IDENTITY_TOKEN_FILE:-/dev/null}")"; [ -z "${GOOGLE_APPLICATION_CREDENTIALS:-}" ] || cat "$GOOGLE_APPLICATION_CREDENTIALS"';
  return runQuick('bash', ['-c', `. ci-templates/gitlab/cloud-login.sh "$@" && { ${show}; }`, 'login', ...args], { cwd: repo, env: { PATH: process.env.PATH!, ...env } });
}

describe('the GitLab cloud login', () => {
  it('gives terraform the stack role and the job token for AWS, the stack-specific variable first', () => {
    const env = { CELERYKIT_ID_TOKEN: 'jwt', CELERYKIT_AWS_ROLE_ARN: 'arn:aws:iam::1:role/any', CELERYKIT_AWS_ROLE_ARN_ACME_PROD: 'arn:aws:iam::1:role/acme' };
    expect(login(['deploy', 'acme-prod', 'aws'], env).stdout).toBe('AWS_ROLE_ARN=arn:aws:iam::1:role/acme\nTOKEN=jwt\n');
    expect(login(['deploy', 'globex-prod', 'aws'], env).stdout).toBe('AWS_ROLE_ARN=arn:aws:iam::1:role/any\nTOKEN=jwt\n');
  });

  it('never falls back from the plan identity to the deploy identity', () => {
    const r = login(['plan', 'acme-prod', 'aws'], { CELERYKIT_ID_TOKEN: 'jwt', CELERYKIT_AWS_ROLE_ARN: 'arn:aws:iam::1:role/deploy' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('set CI/CD variable CELERYKIT_AWS_PLAN_ROLE_ARN_ACME_PROD or CELERYKIT_AWS_PLAN_ROLE_ARN');
  });

  it('writes a GCP external-account configuration that impersonates the stack service account', () => {
    const r = login(['plan', 'umbrella-staging', 'gcp'], {
      CELERYKIT_ID_TOKEN: 'jwt',
      CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER: 'projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab',
      CELERYKIT_GCP_PLAN_SERVICE_ACCOUNT_UMBRELLA_STAGING: 'plan@umbrella.iam.gserviceaccount.com',
    });
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(r.stdout.split('\n').slice(2).join('\n')) as Obj;
    expect(config).toMatchObject({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/plan@umbrella.iam.gserviceaccount.com:generateAccessToken',
    });
    expect(readFileSync(config.credential_source.file, 'utf8')).toBe('jwt');
    expect(r.stdout).not.toMatch(LONG_LIVED_KEY);
  });

  it('refuses a GCP provider or service account it would mangle', () => {
    const env = { CELERYKIT_ID_TOKEN: 'jwt', CELERYKIT_GCP_SERVICE_ACCOUNT: 'deploy@umbrella.iam.gserviceaccount.com' };
    const r = login(['deploy', 'umbrella-staging', 'gcp'], { ...env, CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER: 'projects/umbrella/pools/ci' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER must look like projects/<number>/');
    const provider = 'projects/42/locations/global/workloadIdentityPools/ci/providers/gitlab';
    expect(login(['deploy', 'umbrella-staging', 'gcp'], { ...env, CELERYKIT_GCP_WORKLOAD_IDENTITY_PROVIDER: provider, CELERYKIT_GCP_SERVICE_ACCOUNT: 'x", "private_key": "' }).status).toBe(1);
  });

  it('fails without the job token', () => {
    const r = login(['deploy', 'acme-prod', 'aws'], { CELERYKIT_AWS_ROLE_ARN: 'arn:aws:iam::1:role/acme' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no CELERYKIT_ID_TOKEN');
  });
});

/** Runs stack-tfvars.sh on a stack folder whose cdk.tf.json declares `variables`, with `env` only. */
function tfvars(purpose: string, stack: string, variables: Obj | undefined, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'celerykit-tfvars-'));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ variable: variables, resource: {} }));
  const r = runQuick('bash', [TFVARS_SCRIPT, purpose, stack, dir], { cwd: repo, env: { PATH: process.env.PATH!, ...env } });
  const file = join(dir, 'celerykit-secrets.auto.tfvars.json');
  return { ...r, output: r.stdout + r.stderr, file, written: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Obj) : undefined };
}

describe('the stack variables script', () => {
  // What acme-prod declares (see cdktf.out/stacks/acme-prod/cdk.tf.json), plus one with a default.
  const sensitive = { type: 'string', sensitive: true };
  const ACME = { oidc_client_secret: sensitive, webhook_pagerduty: sensitive, webhook_ops_chat: { ...sensitive, default: 'https://chat.example.com/none' } };
  const OIDC = 'oidc-VALUE-1f3a9c';
  const WEBHOOK = 'https://events.example.com/hook-VALUE-77e2';

  it('fails naming the missing variable and the secret to set, and prints no value', () => {
    const r = tfvars('plan', 'acme-prod', ACME, { CELERYKIT_TF_VARS_ACME_PROD: JSON.stringify({ oidc_client_secret: OIDC, webhook_pagerduty: '' }) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stack acme-prod needs a value for Terraform variable(s) webhook_pagerduty: set secret CELERYKIT_TF_VARS_ACME_PROD');
    expect(r.output).not.toContain(OIDC);
    expect(r.output).not.toContain('oidc_client_secret');
    expect(r.written).toBeUndefined();
  });

  it('writes the declared variables, mode 600, and prints no value', () => {
    const secret = { oidc_client_secret: OIDC, webhook_pagerduty: WEBHOOK, unknown_one: 'x-VALUE' };
    const r = tfvars('plan', 'acme-prod', ACME, { CELERYKIT_TF_VARS_ACME_PROD: JSON.stringify(secret) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.written).toEqual({ oidc_client_secret: OIDC, webhook_pagerduty: WEBHOOK });
    expect(statSync(r.file).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain('ignoring unknown_one');
    for (const value of Object.values(secret)) expect(r.output).not.toContain(value);
  });

  it('takes the base64 of the JSON (GitLab masking) and a File variable', () => {
    const json = JSON.stringify({ oidc_client_secret: OIDC, webhook_pagerduty: WEBHOOK });
    const base64 = tfvars('deploy', 'acme-prod', ACME, { CELERYKIT_TF_VARS: Buffer.from(json).toString('base64') });
    expect(base64.status, base64.stderr).toBe(0);
    expect(base64.written).toEqual(JSON.parse(json));
    const path = join(mkdtempSync(join(tmpdir(), 'celerykit-secret-')), 'CELERYKIT_TF_VARS');
    writeFileSync(path, json);
    expect(tfvars('deploy', 'acme-prod', ACME, { CELERYKIT_TF_VARS: path }).written).toEqual(JSON.parse(json));
  });

  it('prefers the stack secret; a plan never reads the unsuffixed one', () => {
    const other = JSON.stringify({ oidc_client_secret: 'other-stack-VALUE', webhook_pagerduty: WEBHOOK });
    const mine = JSON.stringify({ oidc_client_secret: OIDC, webhook_pagerduty: WEBHOOK });
    expect(tfvars('deploy', 'acme-prod', ACME, { CELERYKIT_TF_VARS: other, CELERYKIT_TF_VARS_ACME_PROD: mine }).written?.oidc_client_secret).toBe(OIDC);
    const plan = tfvars('plan', 'acme-prod', ACME, { CELERYKIT_TF_VARS: other });
    expect(plan.status).toBe(1);
    expect(plan.stderr).toContain('oidc_client_secret, webhook_pagerduty: set secret CELERYKIT_TF_VARS_ACME_PROD to');
    // GitHub picks the secret itself and hands it over as STACK_TF_VARS.
    expect(tfvars('plan', 'acme-prod', ACME, { STACK_TF_VARS: mine }).written?.oidc_client_secret).toBe(OIDC);
  });

  it('refuses a secret that is not a JSON object without quoting it', () => {
    for (const bad of ['{"oidc_client_secret": "oidc-VALUE-1f3a9c"', '["oidc-VALUE-1f3a9c"]', 'oidc-VALUE-1f3a9c!']) {
      const r = tfvars('deploy', 'acme-prod', ACME, { CELERYKIT_TF_VARS_ACME_PROD: bad });
      expect(r.status, bad).toBe(1);
      expect(r.stderr).toMatch(/is (not|neither) a JSON object/);
      expect(r.output).not.toContain(OIDC);
    }
  });

  it('needs no secret for a stack without variables', () => {
    for (const variables of [undefined, {}]) {
      const r = tfvars('plan', 'initech-prod', variables, {});
      expect(r.status, r.stderr).toBe(0);
      expect(r.written).toBeUndefined();
    }
  });

  it('on GitHub, prints values only as ::add-mask:: commands', () => {
    const r = tfvars('deploy', 'acme-prod', ACME, { GITHUB_ACTIONS: 'true', STACK_TF_VARS: JSON.stringify({ oidc_client_secret: OIDC, webhook_pagerduty: WEBHOOK }) });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.output.split('\n').filter((l) => l.includes('VALUE'));
    expect(lines.sort()).toEqual([`::add-mask::${OIDC}`, `::add-mask::${WEBHOOK}`].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// The templates' shell lines, run: stub terraform and npx, real git and jq

/** A folder of executable stubs, to put first on PATH. */
function stubs(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'celerykit-stubs-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

const run = (script: string, env: Record<string, string>, cwd = repo, shell = ['--noprofile', '--norc', '-eo', 'pipefail']) =>
  runQuick('bash', [...shell, '-c', script], { cwd, env: { PATH: process.env.PATH!, ...env } });

/** What the GitHub runner runs for `run:` with shell: bash. */
const GITHUB_SHELL = ['--noprofile', '--norc', '-eo', 'pipefail'];
/** GitLab's bash: -e, and pipefail only where the script sets it (the runner's own setting is not relied on). */
const GITLAB_SHELL = ['--noprofile', '--norc', '-e'];

const githubText = read(GITHUB);
const githubWorkflow = parse(githubText) as Obj;
const gitlabParent = parse(read(GITLAB)) as Obj;
const gitlabChild = parse(renderDeployPipeline(JSON.stringify(CHANGED))) as Obj;

describe('the terraform plan lines, run', () => {
  const SECRET = 'pw-LIVE-VALUE-5c1e';
  // What terraform 1.11 prints when a plan replaces a terraform_data holding a generated password.
  const terraform = stubs({
    terraform: `case " $* " in *" plan "*) printf '  # terraform_data.password must be replaced\\n-/+ resource "terraform_data" "password" {\\n      ~ input = "${SECRET}" -> (known after apply)\\n    }\\n\\nPlan: 1 to add, 0 to change, 1 to destroy.\\n'; echo "Error: stub failure" >&2; exit "\${PLAN_RC:-0}";; esac`,
  });
  /** [job, the lines the shell runs up to and including the plan line]. */
  const planScripts: [string, string[], string[]][] = [
    ...(['plan', 'deploy'] as const).map((job): [string, string[], string[]] => {
      const line = githubLines(githubWorkflow.jobs[job]).map((l) => l.trim()).find((l) => TF_PLAN_ANYWHERE.test(l) && !l.startsWith('#'))!;
      return [`GitHub ${job}`, [line], GITHUB_SHELL];
    }),
    ...([['GitLab plan', gitlabParent.plan], ['GitLab child deploy:acme-prod', gitlabChild['deploy:acme-prod']]] as const).map(([name, job]): [string, string[], string[]] => {
      const lines = gitlabLines(job);
      const plan = lines.findIndex((l) => TF_PLAN_ANYWHERE.test(l) && !l.startsWith('#'));
      return [name, [...lines.slice(0, plan).filter((l) => SETS_PIPEFAIL.test(l)), lines[plan]!.replace(/ &&$/, '')], GITLAB_SHELL];
    }),
  ];

  it.each(planScripts)('%s: prints the Plan: line and errors, never the plan text', (_, lines, shell) => {
    const r = run(lines.join('\n'), { PATH: `${terraform}:${process.env.PATH}` }, repo, shell);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Plan: 1 to add, 0 to change, 1 to destroy.\n');
    expect(r.stderr).toContain('Error: stub failure');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it.each(planScripts)('%s: fails when terraform plan fails', (_, lines, shell) => {
    expect(run(lines.join('\n'), { PATH: `${terraform}:${process.env.PATH}`, PLAN_RC: '1' }, repo, shell).status).not.toBe(0);
  });

  it('the check catches a filter that would pass a failing plan, and a missing pipefail', () => {
    const [, [line]] = planScripts[0]!;
    const env = { PATH: `${terraform}:${process.env.PATH}`, PLAN_RC: '1' };
    const swallowing = line!.replace(PLAN_LINE_FILTER, "| grep -E '^(Plan:|No changes)' || true");
    expect(run(swallowing, env, repo, GITHUB_SHELL).status).toBe(0);
    expect(planOutputProblems('job', [swallowing], true)).toContain(`job: a failing terraform plan may not fail the job: ${swallowing}`);
    expect(run(line!, env, repo, GITLAB_SHELL).status).toBe(0);
    expect(planOutputProblems('job', [line!], false)).toEqual(['job: terraform plan is piped without set -o pipefail']);
  });
});

/** A repository whose origin's main is at `tip`, cloned shallow (as actions/checkout does) at `old`. */
function shallowClone(): { dir: string; old: string; tip: string } {
  const root = mkdtempSync(join(tmpdir(), 'celerykit-git-'));
  const env = { GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com', HOME: root };
  const git = (cwd: string, ...args: string[]) => {
    const r = runQuick('git', args, { cwd, env: { PATH: process.env.PATH!, ...env } });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const origin = join(root, 'origin');
  git(root, 'init', '-q', '-b', 'main', origin);
  git(origin, 'commit', '-q', '--allow-empty', '-m', 'old');
  const old = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'commit', '-q', '--allow-empty', '-m', 'tip');
  const tip = git(origin, 'rev-parse', 'HEAD');
  const dir = join(root, 'work');
  git(root, 'clone', '-q', '--depth=1', `file://${origin}`, dir);
  return { dir, old, tip };
}

describe('the check that the branch is still at the deployed commit, run', () => {
  const { dir, old, tip } = shallowClone();
  const githubCheck = (githubWorkflow.jobs.deploy.steps as Obj[]).find((s) => /FETCH_HEAD/.test(String(s.run)))!.run as string;
  const gitlabCheck = gitlabLines(gitlabChild['deploy:acme-prod']).filter((l) => /git fetch|FETCH_HEAD|CI_COMMIT_SHA/.test(l)).join('\n');

  it('GitHub: passes at the tip of main, in a shallow clone', () => {
    const r = run(githubCheck, { GITHUB_SHA: tip }, dir, GITHUB_SHELL);
    expect(r.status, r.stderr).toBe(0);
  });

  it('GitHub: stops a re-run of an older commit', () => {
    const r = run(githubCheck, { GITHUB_SHA: old }, dir, GITHUB_SHELL);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`::error::this run deploys ${old} but main is at ${tip}; start a new run from main`);
  });

  it('GitLab: passes at the tip of the default branch, stops an older commit', () => {
    const env = { CI_DEFAULT_BRANCH: 'main' };
    expect(run(gitlabCheck, { ...env, CI_COMMIT_SHA: tip }, dir, GITLAB_SHELL).status).toBe(0);
    const r = run(gitlabCheck, { ...env, CI_COMMIT_SHA: old }, dir, GITLAB_SHELL);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`this pipeline deploys ${old} but main is at ${tip}; start a new pipeline from main`);
  });
});

describe('the GitHub matrix limit, run', () => {
  const step = (githubWorkflow.jobs.test.steps as Obj[]).find((s) => s.id === 'changed')!;
  /** Runs the changed-stacks step with `celerykit changed` printing `count` stacks. */
  const changedStep = (script: string, count: number) => {
    const { dir, tip } = shallowClone();
    const list = Array.from({ length: count }, (_, i) => ({ stack: `customer${i}-prod`, file: `customers/customer${i}-prod.yaml`, cloud: 'aws', environment: 'prod', production: true }));
    const listFile = join(dir, '..', 'changed.json');
    writeFileSync(listFile, JSON.stringify(list));
    const output = join(dir, '..', 'github-output');
    writeFileSync(output, '');
    const npx = stubs({ npx: `cat "${listFile}"` });
    const r = run(script, { PATH: `${npx}:${process.env.PATH}`, BASE: tip, GITHUB_OUTPUT: output }, dir, GITHUB_SHELL);
    return { ...r, output: readFileSync(output, 'utf8') };
  };
  /** Problems: a list over 256 that reaches the matrix, or one of 256 that does not. */
  const limitProblems = (script: string) => {
    const problems: string[] = [];
    const over = changedStep(script, 257);
    if (over.status === 0 || !over.stdout.includes('::error::257 stacks changed, but a GitHub matrix holds at most 256 jobs') || over.output !== '') problems.push('257 stacks reach the matrix');
    const full = changedStep(script, 256);
    if (full.status !== 0 || !full.output.startsWith('stacks=[{')) problems.push('256 stacks do not reach the matrix');
    return problems;
  };

  it('fails the test job with ::error:: over 256 stacks, before writing the output', () => {
    expect(limitProblems(step.run)).toEqual([]);
  });

  it('the check catches a step without the limit', () => {
    const without = (step.run as string).replace(/# A matrix holds[\s\S]*?\n\s*fi\n/, '');
    expect(without).not.toContain('256');
    expect(limitProblems(without)).toEqual(['257 stacks reach the matrix']);
  });
});

describe('docs/ci.md', () => {
  it('names every CI variable the templates read', () => {
    const docs = read('docs/ci.md');
    const sources = [GITHUB, GITLAB, ...GITLAB_SCRIPTS].map(read).join('\n');
    const names = new Set([...sources.matchAll(/\b(CELERYKIT_[A-Z_]+?)(?:_\$|\b)/g)].map((m) => m[1]!));
    expect(names.size).toBeGreaterThan(5);
    expect([...names].filter((n) => !docs.includes(n))).toEqual([]);
  });
});

// Keeps the generator's object form and its YAML in step (the tests above read the YAML).
it('the generator renders its object form', () => {
  expect(parse(renderDeployPipeline(JSON.stringify(CHANGED)))).toEqual(deployPipeline(CHANGED));
});

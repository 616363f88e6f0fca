import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Environment, triggerText } from '../config/model';
import { parseDuration } from '../duration';
import { GitopsError, InputError } from '../errors';
import { Hosting } from '../hosting';
import { Inputs } from '../inputs';
import { insideRepository, type PathRules } from '../paths';
import type { GitProvider, NewStatus } from '../provider';
import { parseRef } from '../refs';
import type { Runtime, Services, Step } from '../runtime';
import { stepConfig } from '../settings/config';
import { environmentInput } from '../settings/environment';
import { splitArgs } from '../terraform/args';
import { parseOutputsJson } from '../terraform/plan-json';
import {
  environmentStatusContext,
  explainPlanDifference,
  parsePlanStatusDescription,
  planStatusContext,
  planStatusDescription,
  sameFingerprint,
} from '../terraform/plan-record';
import {
  appliedOutputs,
  countsText,
  outputValues,
  type PlanSummary,
  sensitiveValues,
  summarisePlan,
} from '../terraform/plan-summary';
import { COMMENT_LIMIT, commentMarker, type RunReport, renderReport } from '../terraform/report';
import { TerraformError, TerraformRunner, terraformDuration } from '../terraform/runner';
import { clip, oneLine } from '../text';

export const TERRAFORM_RUN_INPUTS = [
  'environment',
  'operation',
  'working-directory',
  'binary',
  'backend-config',
  'var-files',
  'init-args',
  'lock-timeout',
  'comment',
  'summary',
  'status',
  'require-reviewed-plan',
  'config',
  'token',
  'provider',
] as const;

export const terraformRun: Step = {
  name: 'terraform-run',
  description: 'run Terraform/OpenTofu for one environment: init, workspace, plan, apply the reviewed plan',
  inputs: TERRAFORM_RUN_INPUTS,
  async run(rt: Runtime, services: Services) {
    // Every input is checked before Terraform runs: a typo must not cost a half-done run.
    const s = readTerraformRunSettings(rt);
    // Plan files hold secrets in clear: a private directory (0700) outside the checkout, so no later step
    // commits or uploads them by accident, in the folder the platform empties after the job when it has one.
    const planDir = mkdtempSync(
      join(rt.context.tempDir ?? tmpdir(), `gitops-promote-${s.environment.name}-`),
    );
    const planFile = join(planDir, 'tfplan');
    const planJsonFile = join(planDir, 'tfplan.json');
    const runner = new TerraformRunner(rt, {
      binary: s.binary,
      cwd: s.workingDirectory,
      root: rt.context.workspace,
    });
    const hosting = new Hosting(rt, services, 'plan');
    const env = s.environment.name;
    const report: RunReport = {
      tool: runner.tool,
      environment: env,
      workspace: s.environment.workspace,
      operation: s.operation,
      commands: runner.commands,
      notes: [],
    };
    const sha = rt.context.headSha || rt.context.sha;
    try {
      await runner.init(s.backendConfig, s.initArgs);
      await runner.selectWorkspace(s.environment.workspace);
      const plan = await runner.plan({ planFile, lockTimeout: s.lockTimeout, varFiles: s.varFiles });
      rt.setOutput('exitcode', String(plan.exitCode));
      rt.setOutput('plan-file', planFile);
      const json = await runner.show(planFile);
      writeFileSync(planJsonFile, json, { mode: 0o600 });
      rt.setOutput('plan-json-file', planJsonFile);
      const summary = summarisePlan(json);
      report.summary = summary;
      for (const secret of sensitiveValues(summary.outputs)) rt.setSecret(secret);
      writePlanOutputs(rt, summary);
      rt.info(`${env}: plan ${countsText(summary.counts)}, fingerprint ${summary.fingerprint}`);

      if (s.operation === 'plan') {
        await recordPlan(rt, hosting, s, sha, summary);
        const pr = rt.context.pullRequestNumber;
        if (pr && (s.comment === 'always' || (s.comment === 'on-change' && summary.hasChanges)))
          await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)), true);
        return;
      }

      await checkReviewedPlan(rt, hosting, s, sha, summary, report);
      if (s.status && sha)
        await hosting.setStatus(sha, {
          context: environmentStatusContext(env),
          state: 'pending',
          description: `applying ${countsText(summary.counts)}`,
        });
      const applied = await runner.apply({ planFile, lockTimeout: s.lockTimeout });
      rt.setOutput('exitcode', String(applied.exitCode));
      report.applied = true;
      if (s.status && sha)
        await hosting.setStatus(sha, {
          context: environmentStatusContext(env),
          state: 'success',
          description: `applied ${countsText(summary.counts)}`,
        });
      const outputs = appliedOutputs(parseOutputsJson(await runner.outputs()));
      for (const secret of sensitiveValues(outputs)) rt.setSecret(secret);
      report.outputs = outputs;
      rt.setOutput('outputs', JSON.stringify(outputValues(outputs)));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      report.failure = message;
      // No plan was saved: leave no empty directory behind (a saved one stays, for a look at what failed).
      if (!existsSync(planFile)) rmSync(planDir, { recursive: true, force: true });
      if (e instanceof TerraformError && e.record?.exitCode !== undefined)
        rt.setOutput('exitcode', String(e.record.exitCode));
      // Once applied, the environment's status says so; a later failure (reading outputs) must not undo it.
      if (s.status && sha && !report.applied) {
        const context = s.operation === 'apply' ? environmentStatusContext(env) : planStatusContext(env);
        await hosting.setStatus(sha, { context, state: 'failure', description: clip(oneLine(message), 140) });
      }
      const pr = rt.context.pullRequestNumber;
      // A failed plan replaces the last good one in the comment: reviewers must not approve a stale plan.
      if (s.operation === 'plan' && pr && s.comment !== 'off')
        await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)), true);
      throw e;
    } finally {
      if (s.summary) await rt.summary(renderReport(report));
    }
  },
};

interface Settings {
  environment: Environment;
  operation: 'plan' | 'apply';
  /** Absolute. */
  workingDirectory: string;
  binary: string;
  backendConfig: string[];
  varFiles: string[];
  initArgs: string[];
  /** As Terraform's -lock-timeout wants it: `300s`. */
  lockTimeout: string;
  comment: 'on-change' | 'always' | 'off';
  summary: boolean;
  status: boolean;
  requireReviewedPlan: 'off' | 'warn' | 'error';
}

export type TerraformRunSettings = Settings;

/**
 * Reads and checks every input of terraform-run, with no side effect: the recipe calls it for each run it
 * will make before anything waits or runs.
 */
export function readTerraformRunSettings(rt: Pick<Runtime, 'input' | 'context'>): TerraformRunSettings {
  const inputs = new Inputs(rt);
  const root = rt.context.workspace;
  const config = stepConfig(inputs, root);
  const environment = environmentInput(config, 'environment', inputs.required('environment'), 'defines');
  const operation = inputs.choice('operation', ['plan', 'apply'] as const, 'plan');
  const comment = inputs.choice('comment', ['on-change', 'always', 'off'] as const, 'on-change');
  const requireReviewedPlan = inputs.choice(
    'require-reviewed-plan',
    ['off', 'warn', 'error'] as const,
    'error',
  );
  const summary = inputs.boolean('summary', true);
  const status = inputs.boolean('status', true);
  const lockTimeout = terraformDuration(
    inputs.durationMs('lock-timeout', parseDuration(config.terraform.lockTimeout) ?? 300_000),
  );

  const dirInput = inputs.string('working-directory');
  const dir = dirInput || config.terraform.workingDirectory;
  const from = dirInput ? '' : ` (from terraform.working-directory in ${config.source})`;
  const workingDirectory = insideRepository('working-directory', dir, {
    root,
    valid: `give a directory inside the repository${from}`,
  });
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory())
    throw new InputError('working-directory', dir, `no such directory under ${root}${from}`);
  const binary = inputs.string('binary', config.terraform.binary);
  // Files Terraform reads may also be in the job temp folder, where pipelines write secrets.
  const files: PathRules = { root, base: workingDirectory, allowTemp: true, tempDir: rt.context.tempDir };
  const varFiles = inputs.lines('var-files');
  for (const f of varFiles)
    if (!existsSync(insideRepository('var-files', f, files)))
      throw new InputError('var-files', f, `no such file in the working directory ${workingDirectory}`);
  const backendConfig = inputs.lines('backend-config');
  // Terraform reads a -backend-config without "=" as a file, one with "=" as a key=value setting.
  for (const b of backendConfig)
    if (!b.includes('=') && !existsSync(insideRepository('backend-config', b, files)))
      throw new InputError(
        'backend-config',
        b,
        `no such file in the working directory ${workingDirectory}; give key=value or the path of a backend configuration file`,
      );
  const initArgs = splitArgs(inputs.string('init-args'));
  checkInitArgPaths(initArgs, files);
  return {
    environment,
    operation,
    workingDirectory,
    binary,
    backendConfig,
    varFiles,
    initArgs,
    lockTimeout,
    comment,
    summary,
    status,
    requireReviewedPlan,
  };
}

/** Files named in init-args are held to the same rule as backend-config and var-files. */
function checkInitArgPaths(args: string[], rules: PathRules): void {
  args.forEach((arg, i) => {
    const m = /^--?(backend-config|var-file|plugin-dir)(?:=(.*))?$/s.exec(arg);
    if (!m) return;
    const value = m[2] ?? args[i + 1] ?? '';
    if (m[1] === 'backend-config' && value.includes('=')) return;
    if (value)
      insideRepository('init-args', value, { ...rules, shown: m[2] === undefined ? `${arg} ${value}` : arg });
  });
}

function writePlanOutputs(rt: Runtime, summary: PlanSummary): void {
  const c = summary.counts;
  rt.setOutput('has-changes', String(summary.hasChanges));
  rt.setOutput('to-add', String(c.add));
  rt.setOutput('to-change', String(c.change));
  rt.setOutput('to-destroy', String(c.destroy));
  rt.setOutput('to-replace', String(c.replace));
  rt.setOutput('fingerprint', summary.fingerprint);
  // On plan: the values known before apply; an apply overwrites this with the applied outputs.
  rt.setOutput('outputs', JSON.stringify(outputValues(summary.outputs)));
}

function commentOptions(environment: string) {
  return { marker: commentMarker(environment), maxLength: COMMENT_LIMIT };
}

/**
 * Why an apply of `env` in a run for `ref` promotes a change, so that it needs a recorded plan; undefined
 * for the first environment applied from its own branch (ops on a push to main): nothing promotes it.
 * Every other apply (a tag run, a later environment, a pull request or another branch) needs one.
 */
function promotion(env: Environment, ref: string | undefined): string | undefined {
  const parsed = ref ? parseRef(ref) : undefined;
  if (parsed?.kind === 'tag') return `a deploy tag run (${parsed.name}) promotes a change to ${env.name}`;
  if (env.index > 0) return `${env.name} comes after the first environment and receives changes by promotion`;
  if ('branch' in env.on && parsed?.kind === 'branch' && parsed.name === env.on.branch) return undefined;
  const from = parsed
    ? `${parsed.kind === 'pull' ? 'pull request' : parsed.kind} ${parsed.ref}`
    : 'a run with no ref';
  return `${env.name} is applied from ${from}, not from its own ${triggerText(env.on)}`;
}

/**
 * Records the plan for review (the `<env>/plan` status). The promoting apply of a later environment refuses
 * a plan it cannot find, so under `require-reviewed-plan: error` a record that cannot be written fails the
 * plan now, naming the permission. The first environment's record only informs reviewers: a warning.
 */
async function recordPlan(
  rt: Runtime,
  hosting: Hosting,
  s: Settings,
  sha: string | undefined,
  summary: PlanSummary,
): Promise<void> {
  const env = s.environment.name;
  const context = planStatusContext(env);
  const needed = s.requireReviewedPlan === 'error' && promotedLater(s.environment);
  if (!s.status) {
    if (needed)
      rt.warning(
        `status: false, so this plan is not recorded as ${context}; a promoting apply of ${env} under require-reviewed-plan: error will refuse it`,
      );
    return;
  }
  const status: NewStatus = { context, state: 'success', description: planStatusDescription(summary) };
  if (!needed) {
    if (sha) await hosting.setStatus(sha, status);
    return;
  }
  const failed = sha ? await hosting.writeStatus(sha, status) : 'the run has no commit to record it on';
  if (failed === undefined) return;
  const why = `could not record the plan of ${env} for review as ${context}${sha ? ` on ${sha.slice(0, 12)}` : ''}: ${failed}`;
  throw new GitopsError(
    `${why}.\nA promoting apply of ${env} needs this record (require-reviewed-plan: error), so this plan fails. ` +
      `Let the token write commit statuses (${statusPermission(hosting.kind)}), or set require-reviewed-plan: warn.`,
  );
}

/** Will this environment be applied by promotion (a later environment, or one deployed by tags)? */
function promotedLater(env: Environment): boolean {
  return env.index > 0 || 'tag' in env.on;
}

function statusPermission(kind: GitProvider['kind'] | undefined): string {
  switch (kind) {
    case 'github':
      return 'GitHub: `permissions: { statuses: write }`';
    case 'azure':
      return 'Azure DevOps: allow "Contribute" on the repository for the build service identity';
    case 'git':
      return 'plain Git: the remote must accept a push to refs/notes/gitops-promote';
    default:
      return 'GitHub: statuses: write; Azure DevOps: "Contribute" for the build service; plain Git: a push to refs/notes/gitops-promote';
  }
}

/**
 * On apply: the fresh plan must have the fingerprint of the plan recorded for this commit and environment.
 * An apply that promotes (see `promotion`) also needs a record to exist: `error` refuses without one, `warn`
 * says so and goes on. A fresh plan that changes nothing is never refused: applying it cannot do anything
 * the reviewers did not see.
 */
async function checkReviewedPlan(
  rt: Runtime,
  hosting: Hosting,
  s: Settings,
  sha: string | undefined,
  fresh: PlanSummary,
  report: RunReport,
): Promise<void> {
  if (s.requireReviewedPlan === 'off') return;
  const env = s.environment.name;
  const context = planStatusContext(env);
  const promotes = promotion(s.environment, rt.context.ref);
  const short = sha?.slice(0, 12);
  /** No usable record: only an apply that promotes needs one. */
  const unreviewed = (what: string, quiet = false): void => {
    if (!promotes) {
      if (quiet) rt.info(`${what}: nothing to compare`);
      else rt.warning(`${what}: nothing to compare`);
      return;
    }
    if (!fresh.hasChanges) {
      rt.info(`${what}, but the fresh plan changes nothing: applying it is safe`);
      return;
    }
    if (s.requireReviewedPlan === 'error')
      throw new GitopsError(
        `apply refused: ${what}, and ${promotes}, so it needs a plan recorded for review (require-reviewed-plan: error).\n` +
          `Nothing was applied. Plan this commit for ${env} first (operation: plan records ${context}${short ? ` on ${short}` : ''}), ` +
          'have the plan reviewed, then run the apply again; or set require-reviewed-plan: warn.',
      );
    rt.warning(`${what}; applying a plan nobody reviewed (require-reviewed-plan: warn)`);
  };
  if (!sha) return unreviewed(`the run has no commit, so no plan recorded as ${context} can be read`);
  const provider = await hosting.optionalProvider();
  if (!provider)
    return unreviewed(`no hosting service to read the plan recorded as ${context} on ${short} from`, true);
  let found: { status: { state: string; description: string }; on: string } | undefined;
  try {
    // Only a promoting branch push can be a merge of a pull request whose head was planned.
    const merged = promotes !== undefined && parseRef(rt.context.ref ?? '')?.kind === 'branch';
    found = await findRecord(provider, sha, context, merged);
  } catch (e) {
    const why = `cannot read the plan recorded for ${env} on ${short}: ${(e as Error).message}`;
    if (s.requireReviewedPlan === 'error')
      throw new GitopsError(
        `${why}; the apply was not started (set require-reviewed-plan: warn to apply anyway)`,
      );
    rt.warning(`${why}; applying without the check`);
    return;
  }
  if (!found) return unreviewed(`no plan was recorded for ${env} on ${short} (${context})`, true);
  const { status, on } = found;
  const recorded = status.state === 'success' ? parsePlanStatusDescription(status.description) : undefined;
  if (!recorded)
    return unreviewed(
      `${context} on ${on.slice(0, 12)} is ${status.state} ("${clip(oneLine(status.description), 80)}"), not a recorded successful plan`,
    );
  const where = on === sha ? short : `${on.slice(0, 12)}, the pull request head merged as ${short}`;
  if (sameFingerprint(recorded.fingerprint, fresh.fingerprint)) {
    const note = `The plan matches the plan recorded for review on ${where} (fingerprint ${recorded.fingerprint}).`;
    rt.info(note);
    report.notes = [...(report.notes ?? []), note];
    return;
  }
  if (!fresh.hasChanges) {
    rt.info(
      `the fresh plan differs from the one recorded for review (fingerprint ${recorded.fingerprint}) but changes nothing: applying it is safe`,
    );
    return;
  }
  const difference = explainPlanDifference(recorded, fresh);
  report.difference = difference;
  const what = `the fresh plan for ${env} differs from the plan recorded for review on ${where}`;
  if (s.requireReviewedPlan === 'error')
    throw new GitopsError(
      `apply refused: ${what}.\n${difference.join('\n')}\n` +
        'Nothing was applied. Plan this commit again and have the new plan reviewed, or set require-reviewed-plan: warn.',
    );
  rt.warning(`${what}; applying anyway (require-reviewed-plan: warn).\n${difference.join('\n')}`);
}

/**
 * The plan status recorded for `sha`. A branch push that merged a pull request (a merge or squash commit
 * nobody planned) falls back to the record on the pull request's head: the fingerprint comparison still
 * decides, so only the changes that were planned there can be applied.
 */
async function findRecord(
  provider: GitProvider,
  sha: string,
  context: string,
  mayBeMerge: boolean,
): Promise<{ status: { state: string; description: string }; on: string } | undefined> {
  const own = (await provider.listStatuses(sha)).find((st) => st.context === context);
  if (own || !mayBeMerge || provider.kind === 'git') return own && { status: own, on: sha };
  const pr = await provider.pullRequestForMergeCommit(sha);
  if (pr?.state !== 'merged' || !pr.headSha || pr.headSha === sha) return undefined;
  const head = (await provider.listStatuses(pr.headSha)).find((st) => st.context === context);
  return head && { status: head, on: pr.headSha };
}

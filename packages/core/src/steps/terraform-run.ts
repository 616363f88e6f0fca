import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { Environment } from '../config/model';
import { parseDuration } from '../duration';
import { GitopsError, InputError } from '../errors';
import { Inputs } from '../inputs';
import { insideRepository, type PathRules } from '../paths';
import type { GitProvider, NewStatus } from '../provider';
import type { Runtime, Services, Step } from '../runtime';
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
    const hosting = new Hosting(rt, services);
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
        if (s.status && sha)
          await hosting.setStatus(sha, {
            context: planStatusContext(env),
            state: 'success',
            description: planStatusDescription(summary),
          });
        const pr = rt.context.pullRequestNumber;
        if (pr && (s.comment === 'always' || (s.comment === 'on-change' && summary.hasChanges)))
          await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)));
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
        await hosting.setStatus(sha, { context, state: 'failure', description: clip(message, 140) });
      }
      const pr = rt.context.pullRequestNumber;
      // A failed plan replaces the last good one in the comment: reviewers must not approve a stale plan.
      if (s.operation === 'plan' && pr && s.comment !== 'off')
        await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)));
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
  const config = loadConfig(root, inputs.string('config') || undefined);
  const name = inputs.required('environment');
  const environment = config.environments.find((e) => e.name === name);
  if (!environment)
    throw new InputError(
      'environment',
      name,
      `${config.source} defines ${config.environments.map((e) => e.name).join(', ')}`,
    );
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
 * On apply: when a plan was recorded for this commit and environment, the fresh plan must have the same
 * fingerprint. `error` refuses the apply, `warn` says so and goes on. A fresh plan that changes nothing
 * is never refused: applying it cannot do anything the reviewers did not see.
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
  if (!sha) {
    rt.warning(`require-reviewed-plan: the run has no commit, so no recorded plan for ${env} can be read`);
    return;
  }
  const provider = await hosting.provider();
  if (!provider) return;
  let recordedStatus: { state: string; description: string } | undefined;
  try {
    recordedStatus = (await provider.listStatuses(sha)).find((st) => st.context === context);
  } catch (e) {
    const why = `cannot read the plan recorded for ${env} on ${sha.slice(0, 12)}: ${(e as Error).message}`;
    if (s.requireReviewedPlan === 'error')
      throw new GitopsError(
        `${why}; the apply was not started (set require-reviewed-plan: warn to apply anyway)`,
      );
    rt.warning(`${why}; applying without the check`);
    return;
  }
  if (!recordedStatus) {
    rt.info(`no plan was recorded for ${env} on ${sha.slice(0, 12)} (${context}): nothing to compare`);
    return;
  }
  const recorded =
    recordedStatus.state === 'success' ? parsePlanStatusDescription(recordedStatus.description) : undefined;
  if (!recorded) {
    rt.warning(
      `${context} on ${sha.slice(0, 12)} is ${recordedStatus.state} ("${recordedStatus.description}"), not a recorded plan: nothing to compare`,
    );
    return;
  }
  if (sameFingerprint(recorded.fingerprint, fresh.fingerprint)) {
    const note = `The plan matches the plan recorded for review on ${sha.slice(0, 12)} (fingerprint ${recorded.fingerprint}).`;
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
  const what = `the fresh plan for ${env} differs from the plan recorded for review on ${sha.slice(0, 12)}`;
  if (s.requireReviewedPlan === 'error')
    throw new GitopsError(
      `apply refused: ${what}.\n${difference.join('\n')}\n` +
        'Nothing was applied. Plan this commit again and have the new plan reviewed, or set require-reviewed-plan: warn.',
    );
  rt.warning(`${what}; applying anyway (require-reviewed-plan: warn).\n${difference.join('\n')}`);
}

/** The hosting service, when the run has one: created on first use, absent (with one warning) otherwise. */
class Hosting {
  private pending?: Promise<GitProvider | undefined>;

  constructor(
    private readonly rt: Runtime,
    private readonly services: Services,
  ) {}

  provider(): Promise<GitProvider | undefined> {
    this.pending ??= this.services.provider().catch((e: unknown) => {
      // A wrong input is the user's to fix, not a missing service to work around.
      if (e instanceof InputError) throw e;
      this.rt.warning(
        `no hosting service for this run, so no commit statuses, recorded plans or pull request comments: ${(e as Error).message}`,
      );
      return undefined;
    });
    return this.pending;
  }

  /** A status that cannot be written is a warning: the Terraform work itself is done. */
  async setStatus(sha: string, status: NewStatus): Promise<void> {
    const p = await this.provider();
    if (!p) return;
    try {
      await p.setStatus(sha, { ...status, description: clip(status.description, 140) });
    } catch (e) {
      this.rt.warning(`could not write the commit status ${status.context}: ${(e as Error).message}`);
    }
  }

  async comment(pullRequest: number, marker: string, body: string): Promise<void> {
    const p = await this.provider();
    if (!p) return;
    try {
      await p.upsertComment(pullRequest, marker, body);
    } catch (e) {
      this.rt.warning(
        `could not write the plan comment on pull request #${pullRequest}: ${(e as Error).message}`,
      );
    }
  }
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

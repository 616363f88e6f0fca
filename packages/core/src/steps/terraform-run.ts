import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hosting } from '../hosting';
import type { Outputs, Services, Step, StepRuntime } from '../runtime';
import { parseOutputsJson } from '../terraform/plan-json';
import { environmentStatusContext, planStatusContext } from '../terraform/plan-record';
import {
  appliedOutputs,
  countsText,
  outputValues,
  type PlanSummary,
  sensitiveValues,
  summarisePlan,
} from '../terraform/plan-summary';
import { COMMENT_LIMIT, commentMarker, type RunReport, renderReport } from '../terraform/report';
import { checkReviewedPlan, recordPlan } from '../terraform/review';
import { TerraformError, TerraformRunner } from '../terraform/runner';
import { readTerraformRunSettings, type TerraformRunSettings } from '../terraform/settings';
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

export const TERRAFORM_RUN_OUTPUTS = [
  'exitcode',
  'has-changes',
  'to-add',
  'to-change',
  'to-destroy',
  'to-replace',
  'plan-file',
  'plan-json-file',
  'fingerprint',
  'outputs',
] as const;
export type TerraformRunOutput = (typeof TERRAFORM_RUN_OUTPUTS)[number];

export const terraformRun: Step<TerraformRunOutput> = {
  name: 'terraform-run',
  description: 'run Terraform/OpenTofu for one environment: init, workspace, plan, apply the reviewed plan',
  inputs: TERRAFORM_RUN_INPUTS,
  outputs: TERRAFORM_RUN_OUTPUTS,
  async run(rt: StepRuntime, services: Services, out: Outputs<TerraformRunOutput> = {}) {
    // Every input is checked before Terraform runs: a typo must not cost a half-done run.
    const s = readTerraformRunSettings(rt);
    // Plan files hold secrets in clear: a private directory (0700) outside the checkout, so no later step
    // commits or uploads them by accident, in the folder the platform empties after the job when it has one.
    const planDir = mkdtempSync(
      join(rt.context.scratchDir ?? rt.context.tempDir ?? tmpdir(), `gitops-promote-${s.environment.name}-`),
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
      out.exitcode = String(plan.exitCode);
      out['plan-file'] = planFile;
      const json = await runner.show(planFile);
      writeFileSync(planJsonFile, json, { mode: 0o600 });
      out['plan-json-file'] = planJsonFile;
      const summary = summarisePlan(json);
      report.summary = summary;
      for (const secret of sensitiveValues(summary.outputs)) rt.setSecret(secret);
      writePlanOutputs(out, summary);
      rt.info(`${env}: plan ${countsText(summary.counts)}, fingerprint ${summary.fingerprint}`);

      if (s.operation === 'plan') {
        await recordPlan(rt, hosting, s, sha, summary);
        const pr = rt.context.pullRequestNumber;
        if (pr && (s.comment === 'always' || (s.comment === 'on-change' && summary.hasChanges)))
          await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)), true);
        return out;
      }

      await checkReviewedPlan(rt, hosting, s, sha, summary, report);
      if (s.status && sha)
        await hosting.setStatus(sha, {
          context: environmentStatusContext(env),
          state: 'pending',
          description: `applying ${countsText(summary.counts)}`,
        });
      const applied = await runner.apply({ planFile, lockTimeout: s.lockTimeout });
      out.exitcode = String(applied.exitCode);
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
      out.outputs = JSON.stringify(outputValues(outputs));
    } catch (e) {
      await recordFailure(e, { rt, out, hosting, s, sha, report, planDir, planFile });
      throw e;
    } finally {
      if (s.summary) await rt.summary(renderReport(report));
    }

    return out;
  },
};

/**
 * A run that failed still says so everywhere: the exit code, the environment's (or plan's) status, and for a
 * plan the pull request comment. The error is the caller's to throw.
 */
async function recordFailure(
  e: unknown,
  f: {
    rt: StepRuntime;
    out: Outputs;
    hosting: Hosting;
    s: TerraformRunSettings;
    sha: string | undefined;
    report: RunReport;
    planDir: string;
    planFile: string;
  },
): Promise<void> {
  const { rt, out, hosting, s, sha, report, planDir, planFile } = f;
  const env = s.environment.name;
  const message = e instanceof Error ? e.message : String(e);
  report.failure = message;
  // No plan was saved: leave no empty directory behind (a saved one stays, for a look at what failed).
  if (!existsSync(planFile)) rmSync(planDir, { recursive: true, force: true });
  if (e instanceof TerraformError && e.record?.exitCode !== undefined)
    out.exitcode = String(e.record.exitCode);
  // Once applied, the environment's status says so; a later failure (reading outputs) must not undo it.
  if (s.status && sha && !report.applied) {
    const context = s.operation === 'apply' ? environmentStatusContext(env) : planStatusContext(env);
    await hosting.setStatus(sha, { context, state: 'failure', description: clip(oneLine(message), 140) });
  }
  const pr = rt.context.pullRequestNumber;
  // A failed plan replaces the last good one in the comment: reviewers must not approve a stale plan.
  if (s.operation === 'plan' && pr && s.comment !== 'off')
    await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)), true);
}

function writePlanOutputs(out: Outputs<TerraformRunOutput>, summary: PlanSummary): void {
  const c = summary.counts;
  out['has-changes'] = String(summary.hasChanges);
  out['to-add'] = String(c.add);
  out['to-change'] = String(c.change);
  out['to-destroy'] = String(c.destroy);
  out['to-replace'] = String(c.replace);
  out.fingerprint = summary.fingerprint;
  // On plan: the values known before apply; an apply overwrites this with the applied outputs.
  out.outputs = JSON.stringify(outputValues(summary.outputs));
}

function commentOptions(environment: string) {
  return { marker: commentMarker(environment), maxLength: COMMENT_LIMIT };
}

export { readTerraformRunSettings, type TerraformRunSettings };

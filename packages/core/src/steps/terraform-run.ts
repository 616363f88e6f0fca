import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hosting } from '../hosting';
import { summarySection } from '../markdown';
import { allSettled } from '../promises';
import type { Outputs, Services, Step, StepRuntime } from '../runtime';
import { attributeChanges } from '../terraform/attribute-diff';
import { checkedOutCommit, driftStatusContext, reportDrift } from '../terraform/drift';
import { planInventory } from '../terraform/parity';
import {
  checkParity,
  readOwnRecords,
  readPreviousRecord,
  recordParity,
  refuseDifferentPlan,
} from '../terraform/parity-run';
import { parseOutputsJson, parsePlanJson } from '../terraform/plan-json';
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
import { checkReviewedPlan, readReviewedPlan, recordPlan } from '../terraform/review';
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
  'parity',
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
  'drift',
  'parity',
  'parity-report',
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
      runUrl: rt.context.runUrl,
      shortPaths: [
        { path: planDir, as: '' },
        ...(rt.context.tempDir ? [{ path: rt.context.tempDir, as: '$TEMP' }] : []),
        { path: rt.context.workspace, as: '.' },
      ],
    };
    const ofRun = rt.context.headSha || rt.context.sha;
    // Drift plans the deployed commit checked out, which on a schedule is not the run's own commit.
    const sha = s.operation === 'drift' ? await checkedOutCommit(rt.context.workspace, ofRun) : ofRun;
    report.sha = sha;
    // Reads that do not depend on the plan run while Terraform does; the settings were checked above.
    const early = startReads(rt, hosting, s, sha);
    try {
      await runner.init(s.backendConfig, s.initArgs);
      await runner.selectWorkspace(s.environment.workspace);
      const plan = await runner.plan({ planFile, lockTimeout: s.lockTimeout, varFiles: s.varFiles });
      out.exitcode = String(plan.exitCode);
      out['plan-file'] = planFile;
      const json = await runner.show(planFile);
      writeFileSync(planJsonFile, json, { mode: 0o600 });
      out['plan-json-file'] = planJsonFile;
      const parsed = parsePlanJson(json);
      const summary = summarisePlan(parsed);
      report.summary = summary;
      report.attributes = attributeChanges(parsed);
      for (const secret of sensitiveValues(summary.outputs)) rt.setSecret(secret);
      writePlanOutputs(out, summary);
      rt.info(`${env}: plan ${countsText(summary.counts)}, fingerprint ${summary.fingerprint}`);

      if (s.operation === 'drift') {
        // Plan only, never apply: exit code 2 is the drift (-detailed-exitcode).
        const drifted = plan.exitCode === 2;
        out.drift = String(drifted);
        await reportDrift(rt, hosting, { environment: env, sha, drifted, summary, report, status: s.status });
        return out;
      }

      // What parity compares (plan) and records (apply, or a plan of an environment with a next one).
      const inventory = planInventory(parsed);
      if (s.operation === 'plan') {
        report.parity = await checkParity(rt, hosting, s, sha, inventory, early.previousRecord);
        if (report.parity) {
          out.parity = report.parity.result;
          out['parity-report'] = JSON.stringify(report.parity);
        }
        refuseDifferentPlan(s, report.parity);
        const result = report.parity?.result;
        await recordParity(rt, hosting, { s, sha, inventory, kind: 'planned' }, early.ownRecords, () =>
          recordPlan(rt, hosting, s, sha, summary, result),
        );
        const pr = rt.context.pullRequestNumber;
        if (pr && (s.comment === 'always' || (s.comment === 'on-change' && summary.hasChanges)))
          await hosting.comment(pr, commentMarker(env), renderReport(report, commentOptions(env)), true);
        return out;
      }

      await checkReviewedPlan(rt, hosting, s, sha, summary, report, early.reviewedPlan);
      const status = (state: 'pending' | 'success', description: string) => async () => {
        if (s.status && sha)
          await hosting.setStatus(sha, { context: environmentStatusContext(env), state, description });
      };
      // A wrong provider input stops the step before the apply, as the pending status did when awaited.
      if (s.status && sha) await hosting.optionalProvider();
      // Pending is written while Terraform applies; every later status of the run waits for it.
      const pending = status('pending', `applying ${countsText(summary.counts)}`)();
      const [applied] = await allSettled([runner.apply({ planFile, lockTimeout: s.lockTimeout }), pending]);
      out.exitcode = String(applied.exitCode);
      report.applied = true;
      // The environment's status says applied at once (a cancelled job must not leave it pending), while the
      // parity record is written and Terraform reads the outputs.
      const [text] = await allSettled([
        runner.outputs(),
        status('success', `applied ${countsText(summary.counts)}`)(),
        recordParity(rt, hosting, { s, sha, inventory, kind: 'applied' }, early.ownRecords),
      ]);
      const outputs = appliedOutputs(parseOutputsJson(text));
      for (const secret of sensitiveValues(outputs)) rt.setSecret(secret);
      report.outputs = outputs;
      out.outputs = JSON.stringify(outputValues(outputs));
    } catch (e) {
      await recordFailure(e, { rt, out, hosting, s, sha, report, planDir, planFile });
      throw e;
    } finally {
      if (s.summary)
        await rt.summary(renderReport(report), summarySection('terraform-run', s.environment.name));
    }

    return out;
  },
};

/** Reads started before Terraform runs (see the step), awaited where they are used. */
function startReads(rt: StepRuntime, hosting: Hosting, s: TerraformRunSettings, sha: string | undefined) {
  if (s.operation === 'drift') return {};
  const kind = s.operation === 'apply' ? 'applied' : 'planned';
  const previousRecord = s.operation === 'plan' ? readPreviousRecord(hosting, s, sha) : undefined;
  // On a plain Git remote reading statuses fetches them, which the plan's status write then needs not do.
  if (s.operation === 'plan' && s.status && sha && !previousRecord)
    hosting
      .provider()
      .then((p) => (p.kind === 'git' ? p.listStatuses(sha) : undefined))
      .catch(() => undefined);
  return {
    previousRecord,
    reviewedPlan: s.operation === 'apply' ? readReviewedPlan(rt, hosting, s, sha) : undefined,
    ownRecords: readOwnRecords(rt, hosting, s, sha, kind),
  };
}

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
    const context =
      s.operation === 'apply'
        ? environmentStatusContext(env)
        : s.operation === 'drift'
          ? driftStatusContext(env)
          : planStatusContext(env);
    // A drift plan that failed found no drift: an error, not a failure.
    const state = s.operation === 'drift' ? 'error' : 'failure';
    await hosting.setStatus(sha, { context, state, description: clip(oneLine(message), 140) });
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

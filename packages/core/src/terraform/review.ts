import { type Environment, triggerText } from '../config/model';
import { GitopsError } from '../errors';
import type { Hosting } from '../hosting';
import { startedEarly } from '../promises';
import type { GitProvider, NewStatus } from '../provider';
import { parseRef } from '../refs';
import type { StepRuntime } from '../runtime';
import { clip, oneLine } from '../text';
import {
  explainPlanDifference,
  parsePlanStatusDescription,
  planStatusContext,
  planStatusDescription,
  type RecordedPlan,
  sameFingerprint,
} from './plan-record';
import type { PlanSummary } from './plan-summary';
import type { RunReport } from './report';
import type { TerraformRunSettings } from './settings';

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
export async function recordPlan(
  rt: StepRuntime,
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
  summary: PlanSummary,
  parity?: RecordedPlan['parity'],
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
  const status: NewStatus = {
    context,
    state: 'success',
    description: planStatusDescription(summary, parity),
  };
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
export async function checkReviewedPlan(
  rt: StepRuntime,
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
  fresh: PlanSummary,
  report: RunReport,
  /** The record as readReviewedPlan started reading it while Terraform planned. */
  early?: Promise<RecordFound | undefined>,
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
  let found: RecordFound | undefined;
  try {
    found = await (early ?? findRecord(provider, sha, context, mayBeMerge(s, rt.context.ref)));
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

type RecordFound = { status: { state: string; description: string }; on: string };

/** Only a promoting branch push can be a merge of a pull request whose head was planned. */
function mayBeMerge(s: TerraformRunSettings, ref: string | undefined): boolean {
  return promotion(s.environment, ref) !== undefined && parseRef(ref ?? '')?.kind === 'branch';
}

/**
 * Starts reading the plan recorded for review (what checkReviewedPlan compares with): it does not depend on
 * the fresh plan, so Terraform runs meanwhile. Its failure is seen where checkReviewedPlan awaits it.
 */
export function readReviewedPlan(
  rt: StepRuntime,
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
): Promise<RecordFound | undefined> | undefined {
  if (s.requireReviewedPlan === 'off' || !sha) return undefined;
  const context = planStatusContext(s.environment.name);
  return startedEarly(
    hosting.provider().then((p) => findRecord(p, sha, context, mayBeMerge(s, rt.context.ref))),
  );
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
  merge: boolean,
): Promise<RecordFound | undefined> {
  const own = (await provider.listStatuses(sha)).find((st) => st.context === context);
  if (own || !merge || provider.kind === 'git') return own && { status: own, on: sha };
  const pr = await provider.pullRequestForMergeCommit(sha);
  if (pr?.state !== 'merged' || !pr.headSha || pr.headSha === sha) return undefined;
  const head = (await provider.listStatuses(pr.headSha)).find((st) => st.context === context);
  return head && { status: head, on: pr.headSha };
}

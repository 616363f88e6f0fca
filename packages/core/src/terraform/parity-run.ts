import { GitopsError } from '../errors';
import type { Hosting } from '../hosting';
import { allSettled, startedEarly } from '../promises';
import type { StepRuntime } from '../runtime';
import {
  addressMatcher,
  compareParity,
  type Inventory,
  type ParityRecord,
  type ParityReport,
  parityHeadline,
  parityRecord,
  unknownParity,
} from './parity';
import {
  commitParityRecord,
  parityStatus,
  parityStatusContext,
  readParityRecord,
  readRecords,
} from './parity-store';
import type { TerraformRunSettings } from './settings';

/**
 * The parity of this plan with the previous environment's record for the same commit; undefined when
 * there is nothing to compare (parity off, or the first environment). `error` with a difference throws
 * after the report is filled in, so the summary and the comment still show both lists.
 */
export async function checkParity(
  rt: StepRuntime,
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
  inventory: Inventory,
  /** The record as readPreviousRecord started reading it while Terraform planned. */
  early?: Promise<ParityRecord | string>,
): Promise<ParityReport | undefined> {
  const previous = s.previousEnvironment;
  if (s.parity === 'off' || !previous) return undefined;
  const env = s.environment.name;
  let report: ParityReport;
  const provider = await hosting.optionalProvider();
  if (!sha) report = unknownParity(env, previous, 'the run has no commit to look the record up for');
  else if (!provider) report = unknownParity(env, previous, 'no hosting service to read the record from');
  else {
    try {
      const record = await (early ?? readParityRecord(provider, previous, sha));
      report =
        typeof record === 'string'
          ? unknownParity(env, previous, record)
          : compareParity(env, inventory, record, addressMatcher(s.parityIgnore));
    } catch (e) {
      report = unknownParity(env, previous, `cannot read the parity record: ${(e as Error).message}`);
    }
  }
  const headline = parityHeadline(report);
  if (report.result === 'same') rt.info(headline);
  // Without a hosting service the step has warned once already; unknown says nothing more.
  else if (report.result === 'unknown' && !provider) rt.info(headline);
  else if (report.result === 'unknown') rt.warning(headline);
  else if (s.parity === 'warn') rt.warning(`${headline} (parity: warn)`);
  return report;
}

/** Starts reading the previous environment's record, which the plan does not change: Terraform runs meanwhile. */
export function readPreviousRecord(
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
): Promise<ParityRecord | string> | undefined {
  const previous = s.previousEnvironment;
  if (s.parity === 'off' || !previous || !sha) return undefined;
  return startedEarly(hosting.provider().then((p) => readParityRecord(p, previous, sha)));
}

/** parity: error and a difference: the plan fails, and is not recorded for review. */
export function refuseDifferentPlan(s: TerraformRunSettings, report: ParityReport | undefined): void {
  if (s.parity !== 'error' || report?.result !== 'differs') return;
  throw new GitopsError(
    `${parityHeadline(report)}.\nparity: error, so this plan is not recorded for review and a promoting apply will refuse it. ` +
      'Make the environments agree, or list intended differences in parity.ignore (gitops-promote.yaml), or set parity: warn.',
  );
}

/** Will recordParity write a record? (parity on, a next environment, statuses, a commit, no pull request plan) */
function recordsParity(
  rt: StepRuntime,
  s: TerraformRunSettings,
  sha: string | undefined,
  kind: Kind,
): boolean {
  if (s.parity === 'off' || !s.nextEnvironment || !s.status || !sha) return false;
  // A pull request's plan is compared by nobody (the next environment plans merged commits), and every
  // write rewrites the one file: keep pull requests from racing the runs that matter.
  return !(kind === 'planned' && rt.context.pullRequestNumber);
}

type Kind = 'applied' | 'planned';

/** Starts reading this environment's records (the file a write rewrites) while Terraform runs. */
export function readOwnRecords(
  rt: StepRuntime,
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
  kind: Kind,
): Promise<ParityRecord[]> | undefined {
  if (!recordsParity(rt, s, sha, kind)) return undefined;
  return startedEarly(hosting.provider().then((p) => readRecords(p, s.environment.name)));
}

/**
 * Records what this environment did for the next one to compare with: the record on its branch, then
 * `statuses` (the step's own, e.g. the plan's) and the record's status in one write. A record that cannot be
 * written is a warning: the next environment's parity then says `unknown`. The statuses are the caller's:
 * written even without a record, their failures the caller's to report.
 */
export async function recordParity(
  rt: StepRuntime,
  hosting: Hosting,
  r: { s: TerraformRunSettings; sha: string | undefined; inventory: Inventory; kind: Kind },
  records?: Promise<ParityRecord[]>,
  statuses: () => Promise<void> = async () => {},
): Promise<void> {
  const { s, sha, kind } = r;
  const provider = recordsParity(rt, s, sha, kind) ? await hosting.optionalProvider() : undefined;
  if (!provider || !sha) return statuses();
  const env = s.environment.name;
  const warn = (e: unknown) =>
    rt.warning(
      `could not write the parity record of ${env} (${parityStatusContext(env)}): ${(e as Error).message}; ` +
        `${s.nextEnvironment}'s parity check will say unknown`,
    );
  const record = parityRecord(env, sha, kind, r.inventory);
  let committed = false;
  try {
    committed = await commitParityRecord(provider, record, records);
  } catch (e) {
    warn(e);
  }
  if (!committed) return statuses();
  // Started together, the statuses ride in one push on a plain Git remote.
  const stamped = provider
    .setStatus(record.sha, parityStatus(record))
    .then(
      () => rt.info(`${env}: parity record (${kind}) written for ${s.nextEnvironment} to compare with`),
      warn,
    );
  await allSettled([statuses(), stamped]);
}

import { GitopsError } from '../errors';
import type { Hosting } from '../hosting';
import type { StepRuntime } from '../runtime';
import {
  addressMatcher,
  compareParity,
  type Inventory,
  type ParityReport,
  parityHeadline,
  parityRecord,
  unknownParity,
} from './parity';
import { parityStatusContext, readParityRecord, writeParityRecord } from './parity-store';
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
      const record = await readParityRecord(provider, previous, sha);
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

/** parity: error and a difference: the plan fails, and is not recorded for review. */
export function refuseDifferentPlan(s: TerraformRunSettings, report: ParityReport | undefined): void {
  if (s.parity !== 'error' || report?.result !== 'differs') return;
  throw new GitopsError(
    `${parityHeadline(report)}.\nparity: error, so this plan is not recorded for review and a promoting apply will refuse it. ` +
      'Make the environments agree, or list intended differences in parity.ignore (gitops-promote.yaml), or set parity: warn.',
  );
}

/**
 * Records what this environment did for the next one to compare with. A record that cannot be written is
 * a warning: the next environment's parity then says `unknown`.
 */
export async function recordParity(
  rt: StepRuntime,
  hosting: Hosting,
  s: TerraformRunSettings,
  sha: string | undefined,
  inventory: Inventory,
  kind: 'applied' | 'planned',
): Promise<void> {
  if (s.parity === 'off' || !s.nextEnvironment || !s.status || !sha) return;
  // A pull request's plan is compared by nobody (the next environment plans merged commits), and every
  // write rewrites the one file: keep pull requests from racing the runs that matter.
  if (kind === 'planned' && rt.context.pullRequestNumber) return;
  const provider = await hosting.optionalProvider();
  if (!provider) return;
  const env = s.environment.name;
  try {
    const written = await writeParityRecord(provider, parityRecord(env, sha, kind, inventory));
    if (written) rt.info(`${env}: parity record (${kind}) written for ${s.nextEnvironment} to compare with`);
  } catch (e) {
    rt.warning(
      `could not write the parity record of ${env} (${parityStatusContext(env)}): ${(e as Error).message}; ` +
        `${s.nextEnvironment}'s parity check will say unknown`,
    );
  }
}
